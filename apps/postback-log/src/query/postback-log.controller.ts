import { Controller, Get, NotFoundException, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { AccountChangedPayload } from '@tracker/contracts';
import { decodePageCursor } from '@tracker/database';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { UuidParam } from '@tracker/platform';
import { DEFAULT_PAGE_SIZE, ListPostbackLogsQuery } from './list-postback-logs.query';
import { PostbackLogItem, PostbackLogPageResponse } from './postback-log-item';
import { PostbackLogReader } from './postback-log.reader';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('postback-logs')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/postback-logs')
export class PostbackLogController {
  constructor(private readonly reader: PostbackLogReader) {}

  @Get()
  @ApiOkResponse({ type: PostbackLogPageResponse })
  @ApiBadRequestResponse({ description: 'A filter, limit or cursor is invalid (named).' })
  list(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: ListPostbackLogsQuery,
  ): Promise<PostbackLogPageResponse> {
    return this.reader.page(account.id, {
      integrationId: query.integrationId,
      event: query.event,
      status: query.status,
      clickId: query.clickId,
      q: query.q,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      after: query.cursor ? decodePageCursor(query.cursor) : undefined,
    });
  }

  @Get(':id')
  @ApiOkResponse({ type: PostbackLogItem })
  @ApiNotFoundResponse({ description: 'No such postback in this account.' })
  async get(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<PostbackLogItem> {
    const item = UUID.test(id) ? await this.reader.one(account.id, id.toLowerCase()) : undefined;
    if (!item) throw new NotFoundException(`postback log item ${id} not found`);
    return item;
  }
}
