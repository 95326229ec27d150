/**
 * Binding parameter names of the postback endpoint (SPEC section 5). Shared so that the
 * ingress (which resolves event and click id) and attribution (amount, currency, tid,
 * fields) read a postback the same way.
 */
export const PostbackParams = {
  Event: 'tracker.event',
  ClickId: 'tracker.clickid',
  Cost: 'tracker.cost',
  Currency: 'tracker.currency',
  Tid: 'tracker.tid',
  /** `fields.<key>=value` sets the custom field `<key>` on the click. */
  FieldPrefix: 'fields.',
} as const;

/** Tried, in order, after the integration's own `clickIdParam`. */
export const FALLBACK_CLICK_ID_PARAMS = ['clickid', 'click_id', 'tracker.clickid'] as const;

/** Tried after `tracker.currency` and before the integration's `defaultCurrency`. */
export const FALLBACK_CURRENCY_PARAM = 'currency';

/** The macro a registration link carries literally; the redirect replaces it with a click id. */
export const CLICK_ID_MACRO = '{{tracker.clickid}}';

/** The integration's `statusParam` until set (SPEC section 4). */
export const DEFAULT_STATUS_PARAM = 'status';

/** Statuses that make a postback a reversal until the integration sets its own (SPEC section 4). */
export const DEFAULT_REVERSAL_STATUSES: readonly string[] = Object.freeze([
  'rejected',
  'declined',
  'chargeback',
  'refund',
  'refunded',
  'reversed',
  'cancelled',
  'canceled',
  'fraud',
]);
