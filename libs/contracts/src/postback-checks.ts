import { PostbackParams } from './postback-params';
import {
  clickIdParamNames,
  MAX_CUSTOM_FIELDS,
  MAX_NAME_LENGTH,
  MAX_VALUE_BYTES,
  readPostbackParams,
  valueOf,
  type ErrorCause,
  type ParamProblem,
  type PostbackInput,
  type PostbackParamsReading,
  type ReadingSettings,
  type RoleReading,
} from './postback-reading';
import { hasSecondQuestionMark, mergePostbackParams } from './postback-values';
import {
  AMOUNT_REGEX,
  CLICK_ID_REGEX,
  CURRENCY_REGEX,
  isDepositKind,
  type EventKind,
  type PostbackErrorCode,
} from './vocabulary';

/**
 * The checks of SPEC section 5 that need nothing but a postback's parameters and its
 * integration's settings, in verdict order, each with its English `error` and `errorDetail`.
 */

const MAX_AMOUNT_LENGTH = 64;
const SHOWN = 64;

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
        // A well-formed decimal that is only too long says so, not "not a decimal".
        const tooLong = value.length > MAX_AMOUNT_LENGTH && AMOUNT_REGEX.test(value);
        problems.push(
          valueProblem(
            'invalid_amount',
            'invalid amount',
            role.param,
            value,
            tooLong ? 'too_large' : causeOf(value, 'not_a_decimal'),
            tooLong
              ? `expected at most ${MAX_AMOUNT_LENGTH} characters`
              : 'expected a decimal number with a dot, such as 50 or 12.50',
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
