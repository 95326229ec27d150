import {
  FALLBACK_CLICK_ID_PARAMS,
  IntegrationChangedPayload,
  PostbackParams,
} from '@tracker/contracts';

export type QueryParams = Record<string, string | string[]>;

/** A parameter's value as sent: the first one when repeated; numbers of a JSON body as text. */
function presentValue(params: Record<string, unknown> | null, name: string): string | null {
  if (!params || !Object.hasOwn(params, name)) return null;
  const raw = params[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (typeof first === 'string') return first.length > 0 ? first : null;
  if (typeof first === 'number' && Number.isFinite(first)) return String(first);
  return null;
}

/** Query wins over body (SPEC section 4); empty values count as absent. */
function resolve(
  names: readonly string[],
  query: QueryParams,
  body: Record<string, unknown> | null,
): string | null {
  for (const name of names) {
    const value = presentValue(query, name) ?? presentValue(body, name);
    if (value !== null) return value;
  }
  return null;
}

/** `tracker.event`, or null: judging it is attribution's job. */
export function resolveEvent(query: QueryParams, body: Record<string, unknown> | null) {
  return resolve([PostbackParams.Event], query, body);
}

/**
 * The click id as sent (even an unsubstituted macro: attribution judges it): the
 * integration's own parameter first, then the fallbacks of SPEC section 5.
 */
export function resolveClickId(
  integration: Pick<IntegrationChangedPayload, 'clickIdParam'>,
  query: QueryParams,
  body: Record<string, unknown> | null,
): string | null {
  return resolve([integration.clickIdParam, ...FALLBACK_CLICK_ID_PARAMS], query, body);
}
