import type {
  ErrorDetail,
  ParamUse,
  PostbackConversionSummary,
  PostbackStatus,
} from '@tracker/contracts';
import { encodePageCursor, PageCursor } from '@tracker/database';
import type { DataSource } from 'typeorm';

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
  body: unknown;
  contentType: string | null;
  remoteAddress: string | null;
  userAgent: string | null;
  errorDetail: ErrorDetail | null;
  paramsUsedAs: Record<string, ParamUse | null> | null;
  clickedAt: Date | null;
}

export interface PostbackLogPage {
  records: PostbackLogRecord[];
  nextCursor: string | null;
}

const COLUMNS = `
  id, received_at AS "receivedAt", integration_id AS "integrationId",
  integration_name AS "storedIntegrationName", event, click_id AS "clickId", status,
  error_code AS "errorCode", error, url, method, params, conversion, body,
  content_type AS "contentType", remote_address AS "remoteAddress", user_agent AS "userAgent",
  error_detail AS "errorDetail", params_used_as AS "paramsUsedAs", clicked_at AS "clickedAt"`;

/** LIKE pattern matching `text` anywhere, with its own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// A substring with one of these can only be found in the URL itself (they separate its parts).
const URL_SYNTAX = /[/?&=]/;

/**
 * The longest piece of `q` that must lie inside one parameter value of a matching URL: the text
 * after an `=` up to the next `&` (values may hold `=`, never `&`). As the URL carries it, so
 * it is found among the raw forms searchTextOf() keeps.
 */
export function valueFragmentOf(q: string): string {
  let longest = '';
  for (const piece of q.split('&')) {
    const equals = piece.indexOf('=');
    if (equals !== -1 && piece.length - equals - 1 > longest.length)
      longest = piece.slice(equals + 1);
  }
  return longest;
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
    // md5 for the index (click ids of any length, see HashClickIndex), the text for the match.
    if (filter.clickId !== undefined)
      add((p) => `md5(click_id) = md5(${p}::text) AND click_id = ${p}`, filter.clickId);
    // Set when q can only be told by reading URLs: the page is found by walking an index in
    // page order until it is full (see below).
    let walk = false;
    if (filter.q) {
      const pattern = containsPattern(filter.q);
      // The trigram index holds click ids and parameter values (raw and decoded). A q that may
      // fall elsewhere in a URL (path, parameter names, across separators) checks the URL too.
      if (URL_SYNTAX.test(filter.q) || (await this.inUrlSkeleton(accountId, pattern))) {
        add((p) => `(search_text LIKE ${p} OR lower(url) LIKE ${p})`, pattern);
        // `click_id=abc123` pasted from a URL: what follows an `=` lies in a value, which the
        // trigram index can find first (a needed condition, not a sufficient one).
        const value = valueFragmentOf(filter.q);
        if (value.length >= 3) add((p) => `search_text LIKE ${p}`, containsPattern(value));
        else walk = true;
      } else add((p) => `search_text LIKE ${p}`, pattern);
    }
    if (filter.from) add((p) => `received_at >= ${p}`, filter.from);
    if (filter.to) add((p) => `received_at < ${p}`, filter.to);
    if (filter.after) {
      params.push(filter.after.at, filter.after.id);
      where.push(
        `(received_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(filter.limit + 1);
    const sql = `SELECT ${COLUMNS} FROM postback_log.postback_logs
       WHERE ${where.join(' AND ')}
       ORDER BY received_at DESC, id DESC
       LIMIT $${params.length}`;
    const rows: PostbackLogRecord[] = walk
      ? await this.dataSource.transaction(async (manager) => {
          // A path or parameter name is in most of an account's URLs, but the planner, blind
          // to that, would read every row of the account and sort; in page order the walk stops
          // once the page is full (and is no slower when the term is rare: then both read all).
          await manager.query('SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off');
          return manager.query(sql, params);
        })
      : await this.dataSource.query(sql, params);
    const records = rows.slice(0, filter.limit);
    const last = records[records.length - 1];
    const nextCursor =
      rows.length > filter.limit && last
        ? encodePageCursor({ at: last.receivedAt.toISOString(), id: last.id })
        : null;
    return { records, nextCursor };
  }

  /** Whether `pattern` matches a path or parameter name this account's postbacks came with. */
  private async inUrlSkeleton(accountId: string, pattern: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM postback_log.url_terms WHERE account_id = $1 AND term LIKE $2 LIMIT 1`,
      [accountId, pattern],
    );
    return rows.length > 0;
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
