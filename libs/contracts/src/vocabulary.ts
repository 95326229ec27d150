/**
 * The closed vocabularies of the product contract (SPEC sections 3–5). They are binding:
 * partner setups, stored read models and subscribers depend on these exact strings.
 */

/** What an integration event means to the funnel; chosen per configured event. */
export const EVENT_KINDS = [
  'registration',
  'email_confirmation',
  'first_deposit',
  'deposit',
  'withdrawal',
  'commission',
  'custom',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Kinds whose postbacks are deposits: the click's first one is its FD, later ones RDs. */
export const DEPOSIT_KINDS: readonly EventKind[] = ['first_deposit', 'deposit'];

export function isDepositKind(kind: EventKind): boolean {
  return DEPOSIT_KINDS.includes(kind);
}

/** Where a recorded conversion sits in the funnel (a deposit kind resolves to FD or RD). */
export const CONVERSION_STAGES = [
  'registration',
  'email_confirmation',
  'first_deposit',
  'redeposit',
  'withdrawal',
  'commission',
  'custom',
  'reversal',
] as const;
export type ConversionStage = (typeof CONVERSION_STAGES)[number];

export const POSTBACK_STATUSES = [
  'received',
  'attributed',
  'duplicate',
  'unmatched',
  'rejected',
] as const;
export type PostbackStatus = (typeof POSTBACK_STATUSES)[number];

/** `received` is the log's state before processing, so an outcome never carries it. */
export const PROCESSED_POSTBACK_STATUSES = [
  'attributed',
  'duplicate',
  'unmatched',
  'rejected',
] as const satisfies readonly PostbackStatus[];
export type ProcessedPostbackStatus = (typeof PROCESSED_POSTBACK_STATUSES)[number];

export const POSTBACK_ERROR_CODES = [
  'click_id_missing',
  'click_not_found',
  'duplicate',
  'event_missing',
  'unknown_event',
  'invalid_amount',
  'invalid_currency',
  'invalid_parameter',
  'reversal_not_found',
  'invalid_body',
] as const;
export type PostbackErrorCode = (typeof POSTBACK_ERROR_CODES)[number];

/** Decimal string, never a float: "150", "12.50", "-12.50" (negative only for withdrawals). */
export const AMOUNT_PATTERN = '^-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?$';
export const AMOUNT_REGEX = new RegExp(AMOUNT_PATTERN);

/** ISO 4217 code, stored upper case. */
export const CURRENCY_PATTERN = '^[A-Z]{3}$';
export const CURRENCY_REGEX = new RegExp(CURRENCY_PATTERN);

/** Click ids the tracker mints: 10–16 characters of [0-9A-Za-z]. */
export const CLICK_ID_PATTERN = '^[0-9A-Za-z]{10,16}$';
export const CLICK_ID_REGEX = new RegExp(CLICK_ID_PATTERN);

/** Integration event names (the `tracker.event` value): 1–64 of [A-Za-z0-9_.-], case-sensitive. */
export const EVENT_NAME_PATTERN = '^[A-Za-z0-9_.-]{1,64}$';
export const EVENT_NAME_REGEX = new RegExp(EVENT_NAME_PATTERN);

/** Lower-case hex SHA-256, how API keys are stored. */
export const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';
