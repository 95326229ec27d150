import type { PostbackConversionSummary, PostbackStatus } from '@tracker/contracts';
import type { DataSource } from 'typeorm';
import { encodeCursor, PageCursor } from './page-cursor';

export interface PostbackLogFilter {
  integrationId?: string;
  event?: string;
  status?: PostbackStatus;
  clickId?: string;
  /** Case-insensitive substring of click id, URL or a parameter value. */
  q?: string;
  from?: Date;
  to?: Date;
  limit: number;
  after?: PageCursor;
}

/** A stored log row; the integration name is the one known when the postback was projected. */
export interface PostbackLogRecord {
  id: string;
  receivedAt: Date;
  integrationId: string;
  storedIntegrationName: string | null;
  event: string | null;
  clickId: string | null;
  status: PostbackStatus;
  errorCode: string | null;
  error: string | null;
  url: string;
  method: string;
  params: Record<string, unknown>;
  conversion: PostbackConversionSummary | null;
}

export interface PostbackLogPage {
  records: PostbackLogRecord[];
  nextCursor: string | null;
}

const COLUMNS = `
  id, received_at AS "receivedAt", integration_id AS "integrationId",
  integration_name AS "storedIntegrationName", event, click_id AS "clickId", status,
  error_code AS "errorCode", error, url, method, params, conversion`;

/** LIKE pattern matching `text` anywhere, with its own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Keyset pages of one account's log, newest first by (receivedAt, id): each page is an index
 * range scan, however deep, and rows inserted meanwhile never shift a page. Shared by the API
 * and the bench.
 */
export class PostbackLogQuery {
  constructor(private readonly dataSource: DataSource) {}

  async page(accountId: string, filter: PostbackLogFilter): Promise<PostbackLogPage> {
    const params: unknown[] = [accountId];
    const where = ['account_id = $1', 'received_at IS NOT NULL'];
    const add = (sql: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (filter.integrationId) add((p) => `integration_id = ${p}`, filter.integrationId);
    if (filter.event !== undefined) add((p) => `event = ${p}`, filter.event);
    if (filter.status) add((p) => `status = ${p}`, filter.status);
    if (filter.clickId !== undefined) add((p) => `click_id = ${p}`, filter.clickId);
    if (filter.q) add((p) => `search_text LIKE ${p}`, containsPattern(filter.q));
    if (filter.from) add((p) => `received_at >= ${p}`, filter.from);
    if (filter.to) add((p) => `received_at < ${p}`, filter.to);
    if (filter.after) {
      params.push(filter.after.receivedAt, filter.after.id);
      where.push(
        `(received_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(filter.limit + 1);
    const rows: PostbackLogRecord[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM postback_log.postback_logs
       WHERE ${where.join(' AND ')}
       ORDER BY received_at DESC, id DESC
       LIMIT $${params.length}`,
      params,
    );
    const records = rows.slice(0, filter.limit);
    const last = records[records.length - 1];
    const nextCursor =
      rows.length > filter.limit && last
        ? encodeCursor({ receivedAt: last.receivedAt.toISOString(), id: last.id })
        : null;
    return { records, nextCursor };
  }

  async one(accountId: string, id: string): Promise<PostbackLogRecord | undefined> {
    const rows: PostbackLogRecord[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM postback_log.postback_logs
       WHERE id = $1 AND account_id = $2 AND received_at IS NOT NULL`,
      [id, accountId],
    );
    return rows[0];
  }
}
