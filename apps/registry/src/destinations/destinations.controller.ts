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
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { keptSecrets } from '@tracker/destinations';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { PageQuery, UuidParam } from '@tracker/platform';
import { randomUUID } from 'node:crypto';
import {
  CreateDestinationDto,
  DestinationListResponse,
  DestinationResponse,
  UpdateDestinationDto,
} from './destination.dto';
import { DestinationChanges } from './destination-changes';
import { toDestinationView } from './destination-views';

const UNACKNOWLEDGED =
  'A disable or delete Kafka did not acknowledge in time: nothing was changed (SPEC section 9).';

@ApiTags('destinations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/destinations')
export class DestinationsController {
  constructor(private readonly destinations: DestinationChanges) {}

  @Post()
  @ApiOperation({ summary: 'Add an outgoing postback (templates with macros, SPEC section 4)' })
  @ApiCreatedResponse({ type: DestinationResponse })
  @ApiBadRequestResponse({
    description: 'Invalid field, unknown macro or private address (named).',
  })
  async create(
    @CurrentAccount() account: AccountChangedPayload,
    @Body() body: CreateDestinationDto,
  ): Promise<DestinationResponse> {
    const now = new Date();
    const created = await this.destinations.create({
      id: randomUUID(),
      accountId: account.id,
      name: body.name,
      // UUIDs are case-insensitive; the dispatcher compares them as text (lower case).
      integrationId: body.integrationId?.toLowerCase() ?? null,
      stages: [...new Set(body.stages)],
      method: body.method,
      url: body.url,
      headers: body.headers ?? {},
      body: body.body ?? null,
      enabled: body.enabled ?? true,
      createdAt: now,
      updatedAt: now,
      activeSince: now,
    });
    return toDestinationView(created);
  }

  @Get()
  @ApiOperation({ summary: "The account's destinations (secrets masked)" })
  @ApiOkResponse({ type: DestinationListResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid (named in field).' })
  async list(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: PageQuery,
  ): Promise<DestinationListResponse> {
    const page = await this.destinations.list(account.id, query);
    return { items: page.items.map(toDestinationView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One destination (secrets masked)' })
  @ApiOkResponse({ type: DestinationResponse })
  @ApiNotFoundResponse({ description: 'No such destination in this account.' })
  async get(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<DestinationResponse> {
    return toDestinationView(await this.destinations.get(account.id, id));
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change a destination; a masked secret sent back keeps the stored one while the URL keeps its scheme, host and port',
  })
  @ApiOkResponse({ type: DestinationResponse })
  @ApiBadRequestResponse({
    description: 'Invalid field, unknown macro or private address (named).',
  })
  @ApiNotFoundResponse({ description: 'No such destination in this account.' })
  @ApiServiceUnavailableResponse({ description: UNACKNOWLEDGED })
  async update(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Body() body: UpdateDestinationDto,
  ): Promise<DestinationResponse> {
    const changed = await this.destinations.change(
      account.id,
      id,
      (destination) => {
        if (body.name !== undefined) destination.name = body.name;
        if (body.integrationId !== undefined) {
          destination.integrationId = body.integrationId?.toLowerCase() ?? null;
        }
        if (body.stages !== undefined) destination.stages = [...new Set(body.stages)];
        if (body.method !== undefined) destination.method = body.method;
        // Stored secrets stay only with the address they were given for.
        const kept = keptSecrets({ url: body.url, headers: body.headers }, destination);
        destination.url = kept.url;
        destination.headers = kept.headers;
        if (body.body !== undefined) destination.body = body.body;
        if (body.enabled !== undefined) destination.enabled = body.enabled;
      },
      { mustTakeEffect: body.enabled === false },
    );
    return toDestinationView(changed);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a destination; no new deliveries are scheduled for it' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: 'No such destination in this account.' })
  @ApiServiceUnavailableResponse({ description: UNACKNOWLEDGED })
  async delete(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<void> {
    await this.destinations.delete(account.id, id);
  }
}
