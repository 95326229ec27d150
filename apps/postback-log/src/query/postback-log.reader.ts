import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { IntegrationDirectory } from '@tracker/directory';
import { DataSource } from 'typeorm';
import { POSTBACK_LOG_APP } from '../postback-log.database';
import { PostbackLogItem, PostbackLogPageResponse } from './postback-log-item';
import { PostbackLogFilter, PostbackLogQuery, PostbackLogRecord } from './postback-log.query';

/** Log pages and items of one account, with integration names as they are now. */
@Injectable()
export class PostbackLogReader {
  private readonly query: PostbackLogQuery;

  constructor(
    @InjectDataSource(apiDataSourceName(POSTBACK_LOG_APP)) dataSource: DataSource,
    private readonly directory: IntegrationDirectory,
  ) {
    this.query = new PostbackLogQuery(dataSource);
  }

  async page(accountId: string, filter: PostbackLogFilter): Promise<PostbackLogPageResponse> {
    const { records, nextCursor } = await this.query.page(accountId, filter);
    return { items: records.map((record) => this.toItem(record)), nextCursor };
  }

  async one(accountId: string, id: string): Promise<PostbackLogItem | undefined> {
    const record = await this.query.one(accountId, id);
    return record && this.toItem(record);
  }

  private toItem(record: PostbackLogRecord): PostbackLogItem {
    // The live name follows renames; a deleted integration keeps the name it had.
    const integrationName =
      this.directory.get(record.integrationId)?.name ?? record.storedIntegrationName;
    return {
      id: record.id,
      receivedAt: record.receivedAt.toISOString(),
      integrationId: record.integrationId,
      integrationName,
      event: record.event,
      clickId: record.clickId,
      status: record.status,
      errorCode: record.errorCode,
      error: record.error,
      url: record.url,
      method: record.method,
      params: record.params,
      body: record.body ?? null,
      contentType: record.contentType,
      paramsUsedAs: record.paramsUsedAs ?? {},
      errorDetail: record.errorDetail,
      remoteAddress: record.remoteAddress,
      userAgent: record.userAgent,
      clickedAt: record.clickedAt?.toISOString() ?? null,
      conversion: record.conversion,
    };
  }
}
