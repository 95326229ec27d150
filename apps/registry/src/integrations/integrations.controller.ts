import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import {
  AccountChangedPayload,
  DEFAULT_REVERSAL_STATUSES,
  DEFAULT_STATUS_PARAM,
  findIntegrationTemplate,
} from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { UuidParam } from '@tracker/platform';
import { randomUUID } from 'node:crypto';
import { IntegrationEventEntity } from '../integration-events/integration-event.entity';
import { RegistrationLinkEntity } from '../registration-links/registration-link.entity';
import { buildFinalUrl } from '../registration-links/final-url';
import {
  CreateIntegrationDto,
  IntegrationListResponse,
  IntegrationResponse,
  ListIntegrationsQuery,
  UpdateIntegrationDto,
} from './integration.dto';
import { IntegrationChanges } from './integration-changes';

const UNACKNOWLEDGED =
  'A disable or delete Kafka did not acknowledge in time: nothing was changed (SPEC section 9).';

@ApiTags('integrations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/integrations')
export class IntegrationsController {
  constructor(private readonly integrations: IntegrationChanges) {}

  @Post()
  @ApiOperation({ summary: 'Connect a partner program from a template' })
  @ApiCreatedResponse({ type: IntegrationResponse })
  @ApiBadRequestResponse({ description: 'Unknown template or invalid field (named).' })
  async create(
    @CurrentAccount() account: AccountChangedPayload,
    @Body() body: CreateIntegrationDto,
  ): Promise<IntegrationResponse> {
    const template = findIntegrationTemplate(body.template)!;
    const now = new Date();
    const id = randomUUID();
    return this.integrations.create(
      {
        id,
        accountId: account.id,
        name: body.name ?? (await this.integrations.freeName(account.id, template.name)),
        template: template.id,
        clickIdParam: body.clickIdParam ?? template.clickIdParam,
        amountParam: template.amountParam,
        defaultCurrency: template.defaultCurrency,
        fieldParams: { ...template.fieldParams },
        enabled: true,
        rateLimitPerSecond: null,
        statusParam: DEFAULT_STATUS_PARAM,
        reversalStatuses: [...DEFAULT_REVERSAL_STATUSES],
        tidParam: null,
        createdAt: now,
        updatedAt: now,
      },
      async (manager) => {
        const events = template.events.map(
          (event, position): Omit<IntegrationEventEntity, 'receivedCount' | 'lastReceivedAt'> => ({
            integrationId: id,
            name: event.name,
            position,
            label: event.label,
            kind: event.kind,
            params: { ...event.params },
          }),
        );
        if (events.length > 0) await manager.getRepository(IntegrationEventEntity).insert(events);
      },
    );
  }

  @Get()
  @ApiOperation({ summary: "The account's integrations" })
  @ApiOkResponse({ type: IntegrationListResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid (named).' })
  list(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: ListIntegrationsQuery,
  ): Promise<IntegrationListResponse> {
    return this.integrations.list(account.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One integration with its postback URLs and per-event stats' })
  @ApiOkResponse({ type: IntegrationResponse })
  @ApiNotFoundResponse({ description: 'No such integration in this account.' })
  get(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<IntegrationResponse> {
    return this.integrations.get(account.id, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change settings; a new clickIdParam rebuilds the registration links' })
  @ApiOkResponse({ type: IntegrationResponse })
  @ApiNotFoundResponse({ description: 'No such integration in this account.' })
  @ApiServiceUnavailableResponse({ description: UNACKNOWLEDGED })
  async update(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Body() body: UpdateIntegrationDto,
  ): Promise<IntegrationResponse> {
    await this.integrations.change(
      account.id,
      id,
      async (manager, integration) => {
        if (body.name !== undefined) integration.name = body.name;
        if (body.amountParam !== undefined) integration.amountParam = body.amountParam;
        if (body.defaultCurrency !== undefined) integration.defaultCurrency = body.defaultCurrency;
        if (body.fieldParams !== undefined) integration.fieldParams = body.fieldParams;
        if (body.enabled !== undefined) integration.enabled = body.enabled;
        if (body.rateLimitPerSecond !== undefined) {
          integration.rateLimitPerSecond = body.rateLimitPerSecond;
        }
        if (body.statusParam !== undefined) integration.statusParam = body.statusParam;
        if (body.reversalStatuses !== undefined) {
          integration.reversalStatuses = body.reversalStatuses;
        }
        if (body.tidParam !== undefined) integration.tidParam = body.tidParam;
        if (body.clickIdParam !== undefined && body.clickIdParam !== integration.clickIdParam) {
          integration.clickIdParam = body.clickIdParam;
          const links = manager.getRepository(RegistrationLinkEntity);
          for (const link of await links.find({ where: { integrationId: id } })) {
            await links.update(
              { id: link.id },
              { finalUrl: buildFinalUrl(link.baseUrl, body.clickIdParam) },
            );
          }
        }
      },
      { mustTakeEffect: body.enabled === false },
    );
    return this.integrations.get(account.id, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an integration; its postback URLs answer 404 within a second' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No such integration in this account.' })
  @ApiConflictResponse({
    description:
      "Destinations still send this integration's conversions (their integrationId is this " +
      'one); the message names them. Change their integrationId or delete them first.',
  })
  @ApiServiceUnavailableResponse({ description: UNACKNOWLEDGED })
  async delete(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<void> {
    await this.integrations.delete(account.id, id);
  }
}
