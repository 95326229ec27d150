import {
  AMOUNT_REGEX,
  CLICK_ID_REGEX,
  CURRENCY_REGEX,
  EventKind,
  FALLBACK_CLICK_ID_PARAMS,
  FALLBACK_CURRENCY_PARAM,
  IntegrationChangedPayload,
  PostbackErrorCode,
  PostbackParams,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { createHash } from 'node:crypto';

/** Request parameters after merging: one string per name (a repeated one counts with its first value). */
export type MergedParams = Record<string, string>;

/** What a postback says once read against its integration, before the click is looked at. */
export interface ReadPostback {
  clickId: string;
  event: string;
  kind: EventKind;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  /** Custom fields this postback sets on its click. */
  fields: Record<string, string>;
  /** Identity of the parameters for the 24 h identical-postback rule. */
  paramsHash: string;
  /** The parameter that carried the click id, for messages (null when not known). */
  clickIdParam: string | null;
}

export interface Rejection {
  status: 'rejected';
  errorCode: PostbackErrorCode;
  error: string;
}

export type Reading = { ok: true; postback: ReadPostback } | { ok: false; rejection: Rejection };

const MAX_AMOUNT_LENGTH = 64;

function firstValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return firstValue(value[0]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Query over body (SPEC section 4: on a name conflict the query string wins). */
export function mergeParams(
  query: Record<string, string | string[]>,
  body: Record<string, unknown> | null,
): MergedParams {
  const merged: MergedParams = {};
  for (const [name, value] of Object.entries(body ?? {})) {
    const first = firstValue(value);
    if (first !== undefined) merged[name] = first;
  }
  for (const [name, value] of Object.entries(query)) {
    const first = firstValue(value);
    if (first !== undefined) merged[name] = first;
  }
  return merged;
}

/** First parameter of `names` that is present and not blank. */
function pick(params: MergedParams, names: readonly (string | null)[]): string | null {
  for (const name of names) {
    if (name === null) continue;
    const value = params[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
  }
  return null;
}

/** `{click_id}`, `{{tracker.clickid}}`, `[sub1]`, `%clickid%`, `$click`: a partner macro left as is. */
export function isUnsubstitutedMacro(value: string): boolean {
  return (
    /[{}]/.test(value) ||
    /^\[[^\]]*\]$/.test(value) ||
    /^%[^%]+%$/.test(value) ||
    /^#+[^#]+#+$/.test(value) ||
    /^\$[A-Za-z_]/.test(value)
  );
}

export function clickIdParamNames(integration: IntegrationChangedPayload): string[] {
  return [...new Set([integration.clickIdParam, ...FALLBACK_CLICK_ID_PARAMS])];
}

/** Why a well-formed postback's click is unknown, for the log. */
export function clickNotFoundError(clickId: string, param: string | null): string {
  if (!CLICK_ID_REGEX.test(clickId)) {
    const where = param === null ? 'the click id' : `parameter '${param}'`;
    return (
      `click not found: ${where} holds '${clickId.slice(0, 64)}', which is not a tracker click ` +
      `id (10–16 letters and digits); check that the registration link passes ` +
      `{{tracker.clickid}} to the partner and the postback returns it`
    );
  }
  return (
    `click not found: no click '${clickId}' was registered for this account (yet); it is ` +
    `attributed automatically if the click arrives later, otherwise check that the partner ` +
    `returns the click id from the registration link`
  );
}

function quoteList(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ');
}

function judgeClickId(
  recorded: string | null,
  params: MergedParams,
  integration: IntegrationChangedPayload,
): { clickId: string; param: string | null } | { rejection: Rejection } {
  const names = clickIdParamNames(integration);
  const holder = names.find((name) => params[name] !== undefined && params[name] === recorded);
  if (recorded === null || recorded.trim() === '') {
    const empty = names.find((name) => params[name] !== undefined);
    const [first, ...rest] = names;
    const error =
      empty !== undefined
        ? `click id missing: parameter '${empty}' is empty; the partner must put the click id ` +
          `from the registration link into it`
        : `click id missing: expected parameter '${first}' (or ${rest.join(', ')}); add ` +
          `${first}=<the partner's click id macro> to the postback URL in the partner cabinet`;
    return { rejection: { status: 'rejected', errorCode: 'click_id_missing', error } };
  }
  const where = `parameter '${holder ?? names[0]}'`;
  if (isUnsubstitutedMacro(recorded)) {
    return {
      rejection: {
        status: 'rejected',
        errorCode: 'click_id_missing',
        error:
          `click id missing: ${where} holds the unsubstituted macro '${recorded.slice(0, 64)}'; the partner ` +
          `did not replace it, so check the macro name in the partner cabinet and that the ` +
          `registration link carried a click id`,
      },
    };
  }
  return { clickId: recorded, param: holder ?? null };
}

function judgeAmount(
  params: MergedParams,
  integration: IntegrationChangedPayload,
  kind: EventKind,
): { amount: string | null } | { rejection: Rejection } {
  const names = [PostbackParams.Cost, integration.amountParam];
  const amount = pick(params, names);
  if (amount === null) return { amount: null };
  const source = names.find((name) => name !== null && params[name]?.trim() === amount);
  const shown = amount.slice(0, 64);
  if (amount.length > MAX_AMOUNT_LENGTH || !AMOUNT_REGEX.test(amount)) {
    return {
      rejection: {
        status: 'rejected',
        errorCode: 'invalid_amount',
        error:
          `invalid amount: parameter '${source}' is '${shown}'; expected a decimal number ` +
          `with a dot, such as 50 or 12.50` +
          (isUnsubstitutedMacro(amount) ? ' (the partner did not substitute its macro)' : ''),
      },
    };
  }
  if (amount.startsWith('-') && kind !== 'withdrawal') {
    return {
      rejection: {
        status: 'rejected',
        errorCode: 'invalid_amount',
        error:
          `invalid amount: parameter '${source}' is '${shown}'; only withdrawals may be ` +
          `negative, this event is a ${kind}`,
      },
    };
  }
  return { amount };
}

function judgeCurrency(
  params: MergedParams,
  integration: IntegrationChangedPayload,
): { currency: string | null } | { rejection: Rejection } {
  const names = [PostbackParams.Currency, FALLBACK_CURRENCY_PARAM];
  const sent = pick(params, names);
  const currency = sent ?? integration.defaultCurrency;
  if (currency === null) return { currency: null };
  const upper = currency.toUpperCase();
  if (!CURRENCY_REGEX.test(upper)) {
    const source =
      sent === null
        ? 'the integration default currency'
        : `parameter '${names.find((n) => params[n]?.trim() === sent)}'`;
    return {
      rejection: {
        status: 'rejected',
        errorCode: 'invalid_currency',
        error: `invalid currency: ${source} is '${currency.slice(0, 64)}'; expected a three-letter ISO 4217 code such as USD or EUR`,
      },
    };
  }
  return { currency: upper };
}

/** Custom fields: `fieldParams` mappings first, then explicit `fields.<key>` parameters. */
export function readFields(
  params: MergedParams,
  integration: IntegrationChangedPayload,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, param] of Object.entries(integration.fieldParams)) {
    const value = params[param];
    if (value !== undefined && value !== '') fields[field] = value;
  }
  for (const [name, value] of Object.entries(params)) {
    if (!name.startsWith(PostbackParams.FieldPrefix)) continue;
    const key = name.slice(PostbackParams.FieldPrefix.length);
    if (key !== '') fields[key] = value;
  }
  return fields;
}

/** Order-independent digest of the parameters: "identical postback" means equal digests. */
export function paramsHash(params: MergedParams): string {
  const canonical = JSON.stringify(
    Object.keys(params)
      .sort()
      .map((name) => [name, params[name]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Reads a postback against its integration (SPEC section 5): event, click id, amount,
 * currency, tid and fields, or the first rejection, in the order a marketer would fix them.
 */
export function readPostback(
  event: PostbackReceivedEvent,
  integration: IntegrationChangedPayload | undefined,
): Reading {
  const { payload } = event;
  if (!integration) {
    return {
      ok: false,
      rejection: {
        status: 'rejected',
        errorCode: 'unknown_event',
        error:
          `integration ${event.integrationId} no longer exists (it was deleted), so none of ` +
          `its events are configured; create the integration again and update the postback URLs`,
      },
    };
  }
  const params = mergeParams(payload.query, payload.body);
  const eventName = payload.event;
  const configured = integration.events.map((e) => e.name);
  if (eventName === null || eventName.trim() === '') {
    return {
      ok: false,
      rejection: {
        status: 'rejected',
        errorCode: 'event_missing',
        error:
          `event missing: the postback URL has no ${PostbackParams.Event} parameter; use the ` +
          `postback URL of one of the configured events (${configured.length ? quoteList(configured) : 'none configured yet'})`,
      },
    };
  }
  const configuredEvent = integration.events.find((e) => e.name === eventName);
  if (!configuredEvent) {
    return {
      ok: false,
      rejection: {
        status: 'rejected',
        errorCode: 'unknown_event',
        error:
          `unknown event '${eventName.slice(0, 64)}': it is not configured on integration ` +
          `'${integration.name}'; configured events: ${configured.length ? quoteList(configured) : 'none'} ` +
          `(names are case-sensitive)`,
      },
    };
  }
  const kind = configuredEvent.kind;
  const clickId = judgeClickId(payload.clickId, params, integration);
  if ('rejection' in clickId) return { ok: false, rejection: clickId.rejection };
  const amount = judgeAmount(params, integration, kind);
  if ('rejection' in amount) return { ok: false, rejection: amount.rejection };
  const currency = judgeCurrency(params, integration);
  if ('rejection' in currency) return { ok: false, rejection: currency.rejection };
  return {
    ok: true,
    postback: {
      clickId: clickId.clickId,
      event: eventName,
      kind,
      amount: amount.amount,
      // A currency without an amount says nothing; events show one only next to an amount.
      currency: amount.amount === null ? null : currency.currency,
      tid: pick(params, [PostbackParams.Tid]),
      fields: readFields(params, integration),
      paramsHash: paramsHash(params),
      clickIdParam: clickId.param,
    },
  };
}
