/**
 * The macros a destination's URL, header values and body may use (SPEC section 4, Outgoing
 * postbacks). One list for the dispatcher's renderer (libs/destinations) and the console's help;
 * it imports nothing, so the console bundles it without the rest of libs/.
 */

/** Macros without a key, as SPEC section 4 lists them. */
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
  'fbc',
] as const;
export type SimpleMacro = (typeof SIMPLE_MACROS)[number];

/** Macros that take a key: `{fields.<key>}` (custom fields), `{click.<param>}` (click params). */
export const KEYED_MACROS = ['fields', 'click'] as const;
export type KeyedMacro = (typeof KEYED_MACROS)[number];

/** What the key of each keyed macro names, as help and error messages write it. */
export const MACRO_KEY_NAMES: Readonly<Record<KeyedMacro, string>> = {
  fields: 'key',
  click: 'param',
};

/**
 * Every macro as help and error messages write it, without the braces: the simple ones, then
 * `fields.<key>` and `click.<param>`.
 */
export const WRITTEN_MACROS: readonly string[] = [
  ...SIMPLE_MACROS,
  ...KEYED_MACROS.map((name) => `${name}.<${MACRO_KEY_NAMES[name]}>`),
];
