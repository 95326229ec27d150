import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
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
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { EventNameParam, FieldBadRequestException, PageQuery, UuidParam } from '@tracker/platform';
import { EntityManager } from 'typeorm';
import { IntegrationChanges } from '../integrations/integration-changes';
import { MAX_EVENTS_PER_INTEGRATION, TOO_MANY_EVENTS } from '../integrations/integration-limits';
import { toEventView } from '../integrations/integration-views';
import { CreateIntegrationEventDto, IntegrationEventResponse } from './integration-event.dto';
import { IntegrationEventEntity } from './integration-event.entity';

class IntegrationEventListResponse {
  @ApiProperty({ type: [IntegrationEventResponse] })
  items: IntegrationEventResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

/** The events of an integration: one postback URL each, pasted into the partner's cabinet. */
@ApiTags('integrations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@ApiNotFoundResponse({ description: 'No such integration (or event) in this account.' })
@UseGuards(ApiKeyGuard)
@Controller('api/integrations/:id/events')
export class IntegrationEventsController {
  constructor(
    private readonly integrations: IntegrationChanges,
    @Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: "The integration's events with postback URLs and stats" })
  @ApiOkResponse({ type: IntegrationEventListResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid (named in field).' })
  async list(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Query() query: PageQuery,
  ): Promise<IntegrationEventListResponse> {
    const page = await this.integrations.eventPage(account.id, id, query);
    return {
      items: page.items.map((event) => toEventView(this.config.publicBaseUrl, event)),
      nextCursor: page.nextCursor,
    };
  }

  @Post()
  @ApiOperation({ summary: 'Add an event (names are unique per integration, case-sensitive)' })
  @ApiCreatedResponse({ type: IntegrationEventResponse })
  @ApiBadRequestResponse({
    description:
      `A field is invalid (named), or the integration already holds ` +
      `${MAX_EVENTS_PER_INTEGRATION} events or would outgrow one Kafka message (field events).`,
  })
  @ApiConflictResponse({ description: 'The integration already has an event of that name.' })
  async create(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Body() body: CreateIntegrationEventDto,
  ): Promise<IntegrationEventResponse> {
    const change = async (manager: EntityManager) => {
      const events = manager.getRepository(IntegrationEventEntity);
      if (await events.exists({ where: { integrationId: id, name: body.name } })) {
        throw new ConflictException(`event '${body.name}' already exists in this integration`);
      }
      // Counted under the integration's row lock: two concurrent adds cannot both pass.
      if ((await events.count({ where: { integrationId: id } })) >= MAX_EVENTS_PER_INTEGRATION) {
        throw new FieldBadRequestException('events', TOO_MANY_EVENTS);
      }
      const last = await events.maximum('position', { integrationId: id });
      const entity: IntegrationEventEntity = {
        integrationId: id,
        name: body.name,
        position: (last ?? -1) + 1,
        label: body.label ?? body.name,
        kind: body.kind,
        params: body.params ?? {},
        receivedCount: '0',
        lastReceivedAt: null,
      };
      await events.insert(entity);
      return entity;
    };
    const event = await this.integrations.change(account.id, id, change, { grows: 'events' });
    return toEventView(this.config.publicBaseUrl, event);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an event; its postbacks are then logged as unknown_event' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiServiceUnavailableResponse({
    description: 'Kafka did not acknowledge the delete in time: nothing was changed (SPEC 9).',
  })
  async delete(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @EventNameParam('name') name: string,
  ): Promise<void> {
    // A delete (SPEC section 9): answered only once every replica can apply it.
    await this.integrations.change(
      account.id,
      id,
      async (manager) => {
        const result = await manager
          .getRepository(IntegrationEventEntity)
          .delete({ integrationId: id, name });
        if (!result.affected) throw new NotFoundException(`event '${name}' not found`);
      },
      { mustTakeEffect: true },
    );
  }
}
