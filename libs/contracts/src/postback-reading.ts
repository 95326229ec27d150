import {
  DEFAULT_REVERSAL_STATUSES,
  DEFAULT_STATUS_PARAM,
  FALLBACK_CLICK_ID_PARAMS,
  FALLBACK_CURRENCY_PARAM,
  PostbackParams,
} from './postback-params';
import {
  AMOUNT_REGEX,
  CLICK_ID_REGEX,
  CURRENCY_REGEX,
  isDepositKind,
  type EventKind,
  type PostbackErrorCode,
} from './vocabulary';

/**
 * The one reading of a postback's parameters (SPEC section 5 "Reading values"): which
 * parameter is the event, the click id, the amount, the currency, the tid, the status and the
 * fields, and the checks that need nothing but the parameters and the integration's settings.
 * The ingress, attribution, the postback log and the dry run all call it.
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
const MAX_AMOUNT_LENGTH = 64;
const SHOWN = 64;

// Unicode White_Space plus U+200B (zero width space) and U+FEFF (byte order mark).
const EDGE_SPACE =
  /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]+$/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** NUL and lone surrogates become U+FFFD, as read models and verdicts see them. */
export function wellFormedText(text: string): string {
  return text.replace(/\0/g, '\ufffd').replace(LONE_SURROGATE, '\ufffd');
}

/** A value as every verdict reads it: well-formed and trimmed (SPEC section 5). */
export function cleanValue(value: string): string {
  return wellFormedText(value).replace(EDGE_SPACE, '');
}

const MACRO_NAME = '\\s*[A-Za-z0-9_][A-Za-z0-9_.:-]*\\s*';
const MACRO = new RegExp(
  '^(?:' +
    [
      `\\{\\{${MACRO_NAME}\\}\\}`,
      `\\{${MACRO_NAME}\\}`,
      `\\[\\[${MACRO_NAME}\\]\\]`,
      `\\[${MACRO_NAME}\\]`,
      `\\$\\{${MACRO_NAME}\\}`,
      `<${MACRO_NAME}>`,
      `%%${MACRO_NAME}%%`,
      `%${MACRO_NAME}%`,
      `#${MACRO_NAME}#`,
      `\\$${MACRO_NAME}\\$`,
    ].join('|') +
    ')$',
);

function decodeOnce(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The unsubstituted partner macro a value is (`{x}`, `{{x}}`, `[x]`, `[[x]]`, `${x}`, `<x>`,
 * `%x%`, `%%x%%`, `#x#`, `$x$`), also when percent-encoded once more (`%7Bclick_id%7D`):
 * the macro as written, or null.
 */
export function macroIn(value: string): string | null {
  const trimmed = cleanValue(value);
  if (MACRO.test(trimmed)) return trimmed;
  const decoded = cleanValue(decodeOnce(trimmed));
  return decoded !== trimmed && MACRO.test(decoded) ? decoded : null;
}

/** A second `?` (a cabinet appended its own query string): `usd?click_id=…`. */
export function hasSecondQuestionMark(value: string): boolean {
  return /\?[^?=&]+=/.test(value);
}

function firstValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? firstValue(value[0]) : undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Query over body (SPEC section 4: on a name conflict the query string wins; an empty query
 * value does not hide a body's), a repeated parameter's first value, own properties only:
 * `__proto__` or `toString` are names like any other. Values are cleaned; the order is the
 * query's, then the body's own names.
 */
export function mergePostbackParams(
  query: Record<string, unknown>,
  body: Record<string, unknown> | null,
): Map<string, string> {
  const merged = new Map<string, string>();
  for (const source of [query, body ?? {}]) {
    for (const [name, raw] of Object.entries(source)) {
      const key = wellFormedText(name);
      if (merged.has(key) && merged.get(key) !== '') continue;
      const value = firstValue(raw);
      if (value !== undefined && (!merged.has(key) || cleanValue(value) !== '')) {
        merged.set(key, cleanValue(value));
      }
    }
  }
  return merged;
}

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

const valueOf = (role: RoleReading): string | null => (role.state === 'value' ? role.value : null);

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

/** The first `max` characters (code points: a pair is never split), with `mark` when cut. */
function cut(value: string, max: number, mark = '…'): string {
  if (value.length <= max) return value;
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max).join('')}${mark}`;
}

/** A value as an error quotes it: in quotes (stray spaces show), cut after 64 characters. */
export function quoted(value: string): string {
  return `'${cut(value, SHOWN)}'`;
}

/** How much of a value `errorDetail` carries: enough to show, bounded for events and logs. */
const DETAIL_VALUE_CHARS = 1024;

function quoteList(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

/** The parameter whose value hides one of `names` behind a second `?`, if any. */
function hiddenBehindQuestionMark(
  params: Map<string, string>,
  names: readonly string[],
): { param: string; value: string } | null {
  for (const [param, value] of params) {
    const at = value.indexOf('?');
    if (at < 0) continue;
    const rest = value.slice(at + 1);
    if (names.some((name) => rest.startsWith(`${name}=`) || rest.includes(`&${name}=`))) {
      return { param, value };
    }
  }
  return null;
}

const SECOND_Q =
  "a second '?' in the postback URL (the partner cabinet appended its own query string): " +
  "join the parameters with '&' instead";

function missingProblem(
  errorCode: PostbackErrorCode,
  what: string,
  role: RoleReading,
  names: readonly string[],
  params: Map<string, string>,
  advice: string,
): ParamProblem {
  if (role.state === 'macro') {
    const encoded =
      role.macro !== role.value ? ` (received percent-encoded as ${quoted(role.value)})` : '';
    return {
      errorCode,
      error:
        `${what}: parameter '${role.param}' holds the unsubstituted macro ${quoted(role.macro)}` +
        `${encoded}; the partner did not replace it, so check the macro name in the partner cabinet`,
      errorDetail: { param: role.param, value: role.value, cause: 'unsubstituted_macro' },
    };
  }
  const hidden = hiddenBehindQuestionMark(params, names);
  if (hidden) {
    return {
      errorCode,
      error: `${what}: parameter '${hidden.param}' holds ${quoted(hidden.value)}, because of ${SECOND_Q}`,
      errorDetail: { param: hidden.param, value: hidden.value, cause: 'second_question_mark' },
    };
  }
  if (role.state === 'empty') {
    return {
      errorCode,
      error: `${what}: parameter '${role.param}' is empty; ${advice}`,
      errorDetail: { param: role.param, value: '', cause: 'empty' },
    };
  }
  const [first, ...rest] = names;
  return {
    errorCode,
    error:
      `${what}: expected parameter '${first}'` +
      (rest.length ? ` (or ${quoteList(rest)})` : '') +
      `; ${advice}`,
    errorDetail: { param: first, value: null, cause: 'absent' },
  };
}

function causeOf(value: string, fallback: ErrorCause): ErrorCause {
  return hasSecondQuestionMark(value) ? 'second_question_mark' : fallback;
}

function valueProblem(
  errorCode: PostbackErrorCode,
  what: string,
  param: string,
  value: string,
  cause: ErrorCause,
  expected: string,
): ParamProblem {
  const why =
    cause === 'second_question_mark'
      ? `; it looks cut by ${SECOND_Q}`
      : cause === 'unsubstituted_macro'
        ? '; the partner did not substitute its macro'
        : '';
  return {
    errorCode,
    error: `${what}: parameter '${param}' holds ${quoted(value)}; ${expected}${why}`,
    errorDetail: { param, value, cause },
  };
}

/** What the checks of SPEC section 5 found, before the click is looked at. */
export interface StaticVerdict {
  reading: PostbackParamsReading;
  /** Failing checks in verdict order; the first is the verdict. */
  problems: ParamProblem[];
  event: string | null;
  kind: EventKind | null;
  clickId: string | null;
  clickIdParam: string | null;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  status: string | null;
  /** The body was unusable and the postback was judged on its query string alone. */
  queryOnly: boolean;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function sizeProblems(reading: PostbackParamsReading): ParamProblem[] {
  const problems: ParamProblem[] = [];
  for (const [name, value] of reading.params) {
    if (name.length > MAX_NAME_LENGTH) {
      problems.push({
        errorCode: 'invalid_parameter',
        error: `invalid parameter: a parameter name is ${name.length} characters long (${quoted(name)}); at most ${MAX_NAME_LENGTH} are kept`,
        errorDetail: { param: name.slice(0, MAX_NAME_LENGTH), value: null, cause: 'too_large' },
      });
    } else if (utf8Length(value) > MAX_VALUE_BYTES) {
      problems.push({
        errorCode: 'invalid_parameter',
        error: `invalid parameter: parameter '${name}' holds ${utf8Length(value)} bytes; at most ${MAX_VALUE_BYTES} (16 KiB) are kept`,
        errorDetail: { param: name, value, cause: 'too_large' },
      });
    }
  }
  const fieldCount = Object.keys(reading.fields).length;
  if (fieldCount > MAX_CUSTOM_FIELDS) {
    problems.push({
      errorCode: 'invalid_parameter',
      error: `invalid parameter: the postback sets ${fieldCount} custom fields; at most ${MAX_CUSTOM_FIELDS} are kept`,
      errorDetail: { param: null, value: String(fieldCount), cause: 'too_large' },
    });
  }
  return problems;
}

function judgeParams(
  reading: PostbackParamsReading,
  settings: ReadingSettings,
): Omit<StaticVerdict, 'queryOnly'> {
  const problems: ParamProblem[] = [];
  const { params } = reading;
  const configured = settings.events.map((e) => e.name);

  const event = valueOf(reading.event);
  let kind: EventKind | null = null;
  if (reading.event.state === 'absent' || reading.event.state === 'empty') {
    const missing = missingProblem(
      'event_missing',
      'event missing',
      reading.event,
      [PostbackParams.Event],
      params,
      `use the postback URL of one of the configured events (${configured.length ? quoteList(configured) : 'none configured yet'})`,
    );
    problems.push(missing);
  } else {
    const sent = reading.event.value;
    const found = settings.events.find((e) => e.name === sent);
    if (found) kind = found.kind;
    else {
      const macro = reading.event.state === 'macro';
      problems.push({
        errorCode: 'unknown_event',
        error:
          `unknown event ${quoted(sent)}: ` +
          (macro ? 'an unsubstituted macro, ' : '') +
          `it is not configured on integration` +
          (settings.name !== undefined ? ` '${settings.name}'` : '') +
          `; configured events: ${configured.length ? quoteList(configured) : 'none'} (names are case-sensitive)`,
        errorDetail: {
          param: PostbackParams.Event,
          value: sent,
          cause: macro ? 'unsubstituted_macro' : 'not_configured',
        },
      });
    }
  }

  const clickNames = clickIdParamNames(settings);
  let clickId: string | null = null;
  let clickIdParam: string | null = null;
  let notAClickId: ParamProblem | null = null;
  if (reading.clickId.state === 'value') {
    clickId = reading.clickId.value;
    clickIdParam = reading.clickId.param;
    if (!CLICK_ID_REGEX.test(clickId)) {
      notAClickId = {
        errorCode: 'click_not_found',
        error:
          `click not found: parameter '${clickIdParam}' holds ${quoted(clickId)}, which is not a ` +
          `tracker click id (10–16 letters and digits)` +
          (hasSecondQuestionMark(clickId)
            ? `; it looks cut by ${SECOND_Q}`
            : `; check that the registration link passes {{tracker.clickid}} to the partner and the postback returns it`),
        errorDetail: {
          param: clickIdParam,
          value: clickId,
          cause: causeOf(clickId, 'not_a_click_id'),
        },
      };
    }
  } else {
    problems.push(
      missingProblem(
        'click_id_missing',
        'click id missing',
        reading.clickId,
        clickNames,
        params,
        `the partner must put the click id from the registration link into it (add ${clickNames[0]}=<the partner's click id macro> to the postback URL in the partner cabinet)`,
      ),
    );
  }

  problems.push(...sizeProblems(reading));

  // A reversal's amount is never checked: it negates the reversed conversion's.
  let amount: string | null = null;
  if (!reading.isReversal) {
    const role = reading.amount;
    if (role.state === 'macro') {
      problems.push(
        valueProblem(
          'invalid_amount',
          'invalid amount',
          role.param,
          role.value,
          'unsubstituted_macro',
          'expected a decimal number with a dot, such as 50 or 12.50',
        ),
      );
    } else if (role.state === 'value') {
      const value = role.value;
      if (value.length > MAX_AMOUNT_LENGTH || !AMOUNT_REGEX.test(value)) {
        problems.push(
          valueProblem(
            'invalid_amount',
            'invalid amount',
            role.param,
            value,
            causeOf(value, 'not_a_decimal'),
            'expected a decimal number with a dot, such as 50 or 12.50',
          ),
        );
      } else if (value.startsWith('-') && kind !== null && kind !== 'withdrawal') {
        problems.push(
          valueProblem(
            'invalid_amount',
            'invalid amount',
            role.param,
            value,
            'negative',
            `only withdrawals may be negative, this event is a ${kind}`,
          ),
        );
      } else amount = value;
    }
  }

  let currency: string | null = null;
  const currencyRole = reading.currency;
  if (currencyRole.state === 'value') {
    const upper = currencyRole.value.toUpperCase();
    if (CURRENCY_REGEX.test(upper)) currency = upper;
    else {
      problems.push(
        valueProblem(
          'invalid_currency',
          'invalid currency',
          currencyRole.param,
          currencyRole.value,
          causeOf(currencyRole.value, 'not_three_letters'),
          'expected a three-letter ISO 4217 code such as USD or EUR',
        ),
      );
    }
  } else if (settings.defaultCurrency !== null) {
    const upper = settings.defaultCurrency.toUpperCase();
    if (CURRENCY_REGEX.test(upper)) currency = upper;
    else {
      problems.push({
        errorCode: 'invalid_currency',
        error: `invalid currency: the integration default currency is ${quoted(settings.defaultCurrency)}; expected a three-letter ISO 4217 code such as USD or EUR`,
        errorDetail: { param: null, value: settings.defaultCurrency, cause: 'not_three_letters' },
      });
    }
  } else if (currencyRole.state === 'macro' && !reading.isReversal) {
    problems.push(
      valueProblem(
        'invalid_currency',
        'invalid currency',
        currencyRole.param,
        currencyRole.value,
        'unsubstituted_macro',
        'expected a three-letter ISO 4217 code such as USD or EUR',
      ),
    );
  }

  if (notAClickId) problems.push(notAClickId);
  return {
    reading,
    problems,
    event,
    kind,
    clickId,
    clickIdParam,
    amount,
    // A currency without an amount says nothing; conversions show one only next to an amount.
    currency: amount === null ? null : currency,
    tid: valueOf(reading.tid),
    status: valueOf(reading.status),
  };
}

/** The query alone gives the event, the click id and, for deposit kinds, the amount. */
function queryIsComplete(verdict: Omit<StaticVerdict, 'queryOnly'>): boolean {
  const blocking = verdict.problems.some((p) =>
    ['event_missing', 'unknown_event', 'click_id_missing'].includes(p.errorCode),
  );
  if (blocking || verdict.kind === null) return false;
  return !isDepositKind(verdict.kind) || verdict.amount !== null || verdict.reading.isReversal;
}

/**
 * Reads a postback against its integration and runs the checks of SPEC section 5 that need
 * no stored state, in verdict order: `invalid_body`, `event_missing`, `unknown_event`,
 * `click_id_missing`, `invalid_parameter`, `invalid_amount`, `invalid_currency`, then a value
 * that cannot be a click id (`click_not_found`). Pure; never throws on any input.
 */
export function judgePostbackParams(
  input: PostbackInput,
  settings: ReadingSettings,
): StaticVerdict {
  const verdict = judgeInput(input, settings);
  for (const problem of verdict.problems) {
    const { value } = problem.errorDetail;
    if (value !== null && value.length > DETAIL_VALUE_CHARS) {
      problem.errorDetail = { ...problem.errorDetail, value: cut(value, DETAIL_VALUE_CHARS, '') };
    }
  }
  return verdict;
}

function judgeInput(input: PostbackInput, settings: ReadingSettings): StaticVerdict {
  const bodyError = input.bodyError ?? null;
  if (bodyError === null) {
    const params = mergePostbackParams(input.query, input.body);
    return { ...judgeParams(readPostbackParams(params, settings), settings), queryOnly: false };
  }
  // An unusable body: the postback is judged on its query string alone when that suffices.
  const queryOnly = judgeParams(
    readPostbackParams(mergePostbackParams(input.query, null), settings),
    settings,
  );
  if (queryIsComplete(queryOnly)) return { ...queryOnly, queryOnly: true };
  const raw = input.rawBody ?? null;
  const type = input.contentType ? ` (${input.contentType})` : '';
  const lacking = queryOnly.problems
    .filter((p) => ['event_missing', 'unknown_event', 'click_id_missing'].includes(p.errorCode))
    .map((p) => p.errorCode.replace('_missing', '').replace('_', ' '));
  if (lacking.length === 0) lacking.push('amount');
  const invalidBody: ParamProblem = {
    errorCode: 'invalid_body',
    error:
      `invalid body: the body${type} could not be parsed: ${bodyError}` +
      (raw !== null ? `; received ${quoted(raw)}` : '') +
      `; the query string alone lacks the ${[...new Set(lacking)].join(', ')}; fix the body ` +
      `template in the partner cabinet (valid JSON object or form data)`,
    errorDetail: {
      param: null,
      value: raw,
      cause: 'unparseable_body',
    },
  };
  return { ...queryOnly, problems: [invalidBody, ...queryOnly.problems], queryOnly: false };
}

/**
 * One `error` text for the verdict: the first problem's, then the other failing parameters
 * (SPEC section 5 "Verdict order": `error` names any other failing parameter too).
 */
export function describeProblems(problems: readonly ParamProblem[]): string {
  const [first, ...rest] = problems;
  if (rest.length === 0) return first.error;
  return `${first.error}; also: ${rest.map((p) => p.error).join('; ')}`;
}
