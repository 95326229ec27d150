import {
  DEFAULT_REVERSAL_STATUSES,
  DEFAULT_STATUS_PARAM,
  FALLBACK_CLICK_ID_PARAMS,
  FALLBACK_CURRENCY_PARAM,
  PostbackParams,
} from './postback-params';
import { macroIn } from './postback-values';
import type { EventKind, PostbackErrorCode } from './vocabulary';

/**
 * The one reading of a postback's parameters (SPEC section 5 "Reading values"): which
 * parameter is the event, the click id, the amount, the currency, the tid, the status and the
 * fields. The checks on them are in `postback-checks.ts`, the values' cleaning and macros in
 * `postback-values.ts`. The ingress, attribution and the dry run all call it.
 */

/** What a parameter was used for (SPEC section 4, postback-check and log items). */
export type ParamUse =
  'event' | 'clickId' | 'amount' | 'currency' | 'tid' | 'status' | `field:${string}`;

/** Why a parameter failed, in words a console can translate (SPEC section 4, Postback logs). */
export const ERROR_CAUSES = [
  'absent',
  'empty',
  'unsubstituted_macro',
  'not_a_click_id',
  'second_question_mark',
  'not_configured',
  'not_a_decimal',
  'negative',
  'not_three_letters',
  'no_match',
  'unparseable_body',
  'too_large',
] as const;
export type ErrorCause = (typeof ERROR_CAUSES)[number];

/** The parameter at fault, the value received (null when absent) and why. */
export interface ErrorDetail {
  param: string | null;
  value: string | null;
  cause: ErrorCause;
}

/** A failed check: the verdict's error code, the English `error` text and its detail. */
export interface ParamProblem {
  errorCode: PostbackErrorCode;
  error: string;
  errorDetail: ErrorDetail;
}

/** The integration settings the reading depends on (a subset of its snapshot). */
export interface ReadingSettings {
  name?: string;
  clickIdParam: string;
  amountParam: string | null;
  defaultCurrency: string | null;
  fieldParams: Record<string, string>;
  events: ReadonlyArray<{ name: string; kind: EventKind }>;
  /** Absent on snapshots older than the setting: `status`. */
  statusParam?: string | null;
  /** Absent on snapshots older than the setting: SPEC section 4's default list. */
  reversalStatuses?: readonly string[] | null;
  /** The partner's own transaction-id parameter, tried after `tracker.tid`; null = none. */
  tidParam?: string | null;
}

/** The request as received: the query, and the body when one was parsed. */
export interface PostbackInput {
  query: Record<string, unknown>;
  body: Record<string, unknown> | null;
  /** Why a body was sent but could not be parsed (or was not a flat object); null otherwise. */
  bodyError?: string | null;
  rawBody?: string | null;
  contentType?: string | null;
}

/** SPEC section 9: larger values, longer names or more custom fields are `invalid_parameter`. */
export const MAX_VALUE_BYTES = 16 * 1024;
export const MAX_NAME_LENGTH = 256;
export const MAX_CUSTOM_FIELDS = 100;

/** What one role found among its candidates. */
export type RoleReading =
  | { state: 'value'; param: string; value: string }
  | { state: 'absent' }
  | { state: 'empty'; param: string }
  | { state: 'macro'; param: string; value: string; macro: string };

/** Per role, the first candidate with a non-empty, non-macro value wins (SPEC section 5). */
function readRole(params: Map<string, string>, names: readonly (string | null)[]): RoleReading {
  let fallback: RoleReading = { state: 'absent' };
  for (const name of new Set(names)) {
    if (name === null) continue;
    const value = params.get(name);
    if (value === undefined) continue;
    if (value === '') {
      if (fallback.state === 'absent') fallback = { state: 'empty', param: name };
      continue;
    }
    const macro = macroIn(value);
    if (macro !== null) {
      if (fallback.state !== 'macro') fallback = { state: 'macro', param: name, value, macro };
      continue;
    }
    return { state: 'value', param: name, value };
  }
  return fallback;
}

/** The winning value of a role, or null. */
export const valueOf = (role: RoleReading): string | null =>
  role.state === 'value' ? role.value : null;

/** Everything the parameters say, before any check. */
export interface PostbackParamsReading {
  /** Cleaned first values by name, in request order (query, then body-only names). */
  params: Map<string, string>;
  event: RoleReading;
  clickId: RoleReading;
  amount: RoleReading;
  currency: RoleReading;
  tid: RoleReading;
  status: RoleReading;
  /** Custom fields: `fieldParams` mappings, then `fields.<key>` (which wins). */
  fields: Record<string, string>;
  /** Field key → the parameter it came from. */
  fieldSources: Record<string, string>;
  /** The status is one of the integration's reversal statuses (case-insensitive). */
  isReversal: boolean;
  /** Parameters that make two postbacks "identical" (all but the status), sorted by name. */
  identity: Array<[string, string]>;
}

/** Where a click id is looked for, in order (SPEC section 5): `clickIdParam`, then the fallbacks. */
export function clickIdParamNames(settings: Pick<ReadingSettings, 'clickIdParam'>): string[] {
  return [...new Set([settings.clickIdParam, ...FALLBACK_CLICK_ID_PARAMS])];
}

function statusParamOf(settings: Pick<ReadingSettings, 'statusParam'>): string | null {
  return settings.statusParam === undefined ? DEFAULT_STATUS_PARAM : settings.statusParam;
}

/** Reads the roles of a postback's parameters (SPEC section 5); no verdict yet. */
export function readPostbackParams(
  params: Map<string, string>,
  settings: Pick<
    ReadingSettings,
    'clickIdParam' | 'amountParam' | 'fieldParams' | 'statusParam' | 'reversalStatuses' | 'tidParam'
  >,
): PostbackParamsReading {
  const statusParam = statusParamOf(settings);
  const status = readRole(params, [statusParam]);
  const reversalStatuses = (settings.reversalStatuses ?? DEFAULT_REVERSAL_STATUSES).map((s) =>
    s.toLowerCase(),
  );
  const fields: Record<string, string> = {};
  const fieldSources: Record<string, string> = {};
  const setField = (key: string, param: string) => {
    const value = params.get(param);
    if (value === undefined || value === '' || macroIn(value) !== null) return;
    Object.defineProperty(fields, key, { value, enumerable: true, writable: true });
    Object.defineProperty(fieldSources, key, { value: param, enumerable: true, writable: true });
  };
  for (const [key, param] of Object.entries(settings.fieldParams)) setField(key, param);
  for (const name of params.keys()) {
    if (!name.startsWith(PostbackParams.FieldPrefix)) continue;
    const key = name.slice(PostbackParams.FieldPrefix.length);
    if (key !== '') setField(key, name);
  }
  const statusValue = valueOf(status);
  return {
    params,
    event: readRole(params, [PostbackParams.Event]),
    clickId: readRole(params, clickIdParamNames(settings)),
    amount: readRole(params, [PostbackParams.Cost, settings.amountParam]),
    currency: readRole(params, [PostbackParams.Currency, FALLBACK_CURRENCY_PARAM]),
    tid: readRole(params, [PostbackParams.Tid, settings.tidParam ?? null]),
    status,
    fields,
    fieldSources,
    isReversal: statusValue !== null && reversalStatuses.includes(statusValue.toLowerCase()),
    identity: [...params]
      .filter(([name]) => name !== statusParam)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/**
 * What the ingress records of a postback (SPEC section 3, `PostbackReceived.event` and
 * `clickId`): `tracker.event` as read (null when missing or empty), and the click id as read,
 * else the first non-empty candidate as sent (even a macro, so the log shows it), else null.
 * Only these two roles: it runs on the ingress's hot path.
 */
export function readRecordedRoles(
  params: Map<string, string>,
  settings: Pick<ReadingSettings, 'clickIdParam'>,
): { event: string | null; clickId: string | null } {
  const event = readRole(params, [PostbackParams.Event]);
  const names = clickIdParamNames(settings);
  const clickId = readRole(params, names);
  return {
    event: event.state === 'value' || event.state === 'macro' ? event.value : null,
    clickId:
      clickId.state === 'value'
        ? clickId.value
        : (names.map((name) => params.get(name)).find((v) => v !== undefined && v !== '') ?? null),
  };
}

/** `{name: usedAs}` for every parameter (SPEC section 4): the winner of each role, fields. */
export function paramsUsedAs(reading: PostbackParamsReading): Record<string, ParamUse | null> {
  const used = new Map<string, ParamUse | null>([...reading.params.keys()].map((n) => [n, null]));
  const mark = (role: RoleReading, use: ParamUse) => {
    if (role.state === 'value' && used.get(role.param) === null) used.set(role.param, use);
  };
  mark(reading.event, 'event');
  mark(reading.clickId, 'clickId');
  mark(reading.amount, 'amount');
  mark(reading.currency, 'currency');
  mark(reading.tid, 'tid');
  mark(reading.status, 'status');
  for (const [key, param] of Object.entries(reading.fieldSources)) {
    if (used.get(param) === null) used.set(param, `field:${key}`);
  }
  const result: Record<string, ParamUse | null> = {};
  for (const [name, use] of used) {
    Object.defineProperty(result, name, { value: use, enumerable: true, writable: true });
  }
  return result;
}
