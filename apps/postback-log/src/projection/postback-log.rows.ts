import type {
  ErrorDetail,
  ParamUse,
  PostbackConversionSummary,
  PostbackProcessedEvent,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { storableJson } from '@tracker/database';

/** The postback half of a log row (snake_case: the writer's SQL reads it by these names). */
export interface PostbackRow {
  id: string;
  account_id: string;
  integration_id: string;
  integration_name: string | null;
  received_at: string;
  event: string | null;
  click_id: string | null;
  method: string;
  url: string;
  params: Record<string, unknown>;
  search_text: string;
  /** The parsed body, or the raw text when it could not be parsed (a JSON string). */
  body: unknown;
  content_type: string | null;
  remote_address: string | null;
  user_agent: string | null;
}

/** The outcome half of a log row: the latest PostbackProcessed of that postback. */
export interface OutcomeRow {
  id: string;
  account_id: string;
  integration_id: string;
  status: string;
  error_code: string | null;
  error: string | null;
  conversion: PostbackConversionSummary | null;
  click_id: string | null;
  outcome_at: string;
  outcome_id: string;
  error_detail: ErrorDetail | null;
  params_used_as: Record<string, ParamUse | null> | null;
  clicked_at: string | null;
}

/** Query merged with body; the query string wins on a name conflict (SPEC section 4). */
export function mergeParams(
  query: Record<string, string | string[]>,
  body: Record<string, unknown> | null,
): Record<string, unknown> {
  return body ? { ...body, ...query } : { ...query };
}

function valueTexts(value: unknown, out: string[]): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) for (const item of value) valueTexts(item, out);
  else if (typeof value === 'object') out.push(JSON.stringify(value));
  else out.push(String(value));
}

/** The query string's name/value pairs as received, still encoded (value null without `=`). */
function rawPairsOf(url: string): Array<[name: string, value: string | null]> {
  const mark = url.indexOf('?');
  if (mark === -1) return [];
  return url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1 ? [pair, null] : [pair.slice(0, equals), pair.slice(equals + 1)];
    });
}

/**
 * What `q` searches through the trigram index, lower-cased: the click id and every parameter
 * value, once each, plus a value's encoded form as it appears in the URL where that differs
 * (`a%40b.com`, `a+b`). With the URL's skeleton (see `urlTermsOf`), that covers every piece
 * of a URL a substring without `/ ? & =` can fall in: the path and the parameter names, the
 * same on nearly every postback of an integration, stay out of this per-row index.
 */
export function searchTextOf(
  clickId: string | null,
  params: Record<string, unknown>,
  url = '',
): string {
  const values: string[] = [];
  for (const value of Object.values(params)) valueTexts(value, values);
  // Most URLs have no encoded value at all: then there is nothing more to split out.
  if (url.includes('%') || url.includes('+')) {
    for (const [, raw] of rawPairsOf(url))
      if (raw !== null && (raw.includes('%') || raw.includes('+'))) values.push(raw);
  }
  const parts = new Set<string>();
  if (clickId) parts.add(clickId.toLowerCase());
  for (const value of values) if (value !== '') parts.add(value.toLowerCase());
  return [...parts].join('\n');
}

/**
 * The URL's skeleton, lower-cased: its path and its parameter names as received. Kept once
 * per account (postback_log.url_terms), so a `q` that falls in one of them is known to need
 * the URL itself rather than the trigram index.
 */
export function urlTermsOf(url: string): string[] {
  const mark = url.indexOf('?');
  const terms = new Set<string>([(mark === -1 ? url : url.slice(0, mark)).toLowerCase()]);
  for (const [name] of rawPairsOf(url)) terms.add(name.toLowerCase());
  terms.delete('');
  return [...terms];
}

export function postbackRow(
  event: PostbackReceivedEvent,
  integrationName: string | null,
): PostbackRow {
  const { payload } = event;
  const params = mergeParams(payload.query, payload.body);
  return {
    id: event.id.toLowerCase(),
    account_id: event.accountId,
    integration_id: event.integrationId,
    integration_name: integrationName,
    received_at: payload.receivedAt,
    event: payload.event,
    click_id: payload.clickId,
    method: payload.method,
    url: payload.url,
    params,
    search_text: searchTextOf(payload.clickId, params, payload.url),
    body: payload.body ?? payload.rawBody ?? null,
    content_type: payload.contentType ?? null,
    remote_address: payload.remoteAddress,
    user_agent: payload.userAgent,
  };
}

export function outcomeRow(event: PostbackProcessedEvent): OutcomeRow {
  const { payload } = event;
  return {
    id: payload.postbackId.toLowerCase(),
    account_id: event.accountId,
    integration_id: event.integrationId,
    status: payload.status,
    error_code: payload.errorCode,
    error: payload.error,
    conversion: payload.conversion ?? null,
    click_id: payload.clickId ?? null,
    outcome_at: event.occurredAt,
    outcome_id: event.id.toLowerCase(),
    error_detail: payload.errorDetail ?? null,
    params_used_as: payload.paramsUsedAs ?? null,
    clicked_at: payload.clickedAt ?? null,
  };
}

/** The order outcomes supersede each other in: occurredAt, then event id. */
export function isNewerOutcome(candidate: OutcomeRow, current: OutcomeRow): boolean {
  const a = Date.parse(candidate.outcome_at);
  const b = Date.parse(current.outcome_at);
  return a !== b ? a > b : candidate.outcome_id > current.outcome_id;
}

/** Rows as one JSON document for the writer's SQL, with what PostgreSQL cannot store replaced. */
export function toRecordset(rows: readonly object[]): string {
  return storableJson(rows);
}

/** A column of the log as the writer's SQL names and types it. */
export type Column = readonly [name: string, type: 'uuid' | 'text' | 'timestamptz' | 'jsonb'];

// COPY's text format: a backslash, tab, newline or carriage return in a value is escaped. A NUL,
// which text cannot hold, becomes U+FFFD as in the JSON path (lone surrogates become U+FFFD when
// the string is encoded as UTF-8, again as there).
const COPY_SPECIAL = /[\\\t\n\r\0]/;
const COPY_SPECIALS = /[\\\t\n\r\0]/g;
const COPY_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\ufffd',
};

function copyValue(value: unknown, type: Column[1]): string {
  if (value === null || value === undefined) return '\\N';
  const text = type === 'jsonb' ? storableJson(value) : String(value);
  return COPY_SPECIAL.test(text) ? text.replace(COPY_SPECIALS, (c) => COPY_ESCAPES[c]) : text;
}

/** Rows in COPY's text format, one line per row, values in `columns` order. */
export function toCopyText(rows: readonly object[], columns: readonly Column[]): string {
  let text = '';
  for (const row of rows) {
    const values = row as Record<string, unknown>;
    let line = copyValue(values[columns[0][0]], columns[0][1]);
    for (let i = 1; i < columns.length; i++) {
      line += `\t${copyValue(values[columns[i][0]], columns[i][1])}`;
    }
    text += `${line}\n`;
  }
  return text;
}
