/**
 * The macros a destination's URL, header values and body may use (SPEC section 4, Outgoing
 * postbacks), for the help next to the form; `macros.spec.ts` keeps them equal to the
 * dispatcher's list in libs/destinations.
 */
export const SIMPLE_MACROS = [
  'clickid',
  'conversion_id',
  'event',
  'stage',
  'ordinal',
  'amount',
  'currency',
  'tid',
  'campaign',
  'source',
  'subscriber_id',
  'occurred_at',
  'unix',
] as const;

/** Macros with a key after the dot: custom fields of the click, parameters stored on the click. */
export const KEYED_MACROS = ['fields.<key>', 'click.<param>'] as const;
