import {
  KEYED_MACROS,
  SIMPLE_MACROS,
  type ConversionRecordedEvent,
  type SimpleMacro,
} from '@tracker/contracts';

/**
 * A macro in a destination template (SPEC section 4): `{` + `[a-z_]+(\.[A-Za-z0-9_.-]+)?` + `}`.
 * Any other brace is literal text.
 */
export const MACRO_PATTERN = /\{([a-z_]+(?:\.[A-Za-z0-9_.-]+)?)\}/g;

/** Where a value lands decides how it is escaped (SPEC section 4). */
export type RenderTarget = 'url' | 'json' | 'header' | 'text';

/**
 * The values macros render to (the macro list itself is `SIMPLE_MACROS` / `KEYED_MACROS` of
 * libs/contracts, which the console's help shows); null (or a missing key) renders empty. */
export interface MacroValues {
  simple: Readonly<Record<SimpleMacro, string | null>>;
  fields: Readonly<Record<string, string>>;
  click: Readonly<Record<string, string>>;
}

const SIMPLE = new Set<string>(SIMPLE_MACROS);
const KEYED = new Set<string>(KEYED_MACROS);

/** True when `name` (the text between the braces) is a macro SPEC section 4 knows. */
export function isKnownMacro(name: string): boolean {
  const dot = name.indexOf('.');
  if (dot === -1) return SIMPLE.has(name);
  return KEYED.has(name.slice(0, dot)) && dot < name.length - 1;
}

/** The macros of a template that are not known, each once, in order of appearance. */
export function unknownMacros(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(MACRO_PATTERN)) {
    if (!isKnownMacro(match[1])) unknown.add(`{${match[1]}}`);
  }
  return [...unknown];
}

function lookup(map: Readonly<Record<string, string>>, key: string): string | null {
  // Own properties only: `{fields.__proto__}` or `{click.constructor}` are data, never code.
  return Object.hasOwn(map, key) ? map[key] : null;
}

/** The raw value of one known macro, or null. */
export function macroValue(values: MacroValues, name: string): string | null {
  const dot = name.indexOf('.');
  if (dot === -1) {
    return SIMPLE.has(name) ? values.simple[name as SimpleMacro] : null;
  }
  const key = name.slice(dot + 1);
  return name.slice(0, dot) === 'fields' ? lookup(values.fields, key) : lookup(values.click, key);
}

/** Lone UTF-16 surrogates (possible in any value a partner sends) become U+FFFD. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function escapeFor(target: RenderTarget, value: string): string {
  switch (target) {
    case 'url':
      // encodeURIComponent throws on a lone surrogate.
      return encodeURIComponent(value.replace(LONE_SURROGATE, '\ufffd'));
    case 'json':
      // Escaped as the inside of a JSON string: the template supplies any quotes.
      return JSON.stringify(value).slice(1, -1);
    case 'header':
      return value.replace(/[\r\n]/g, '');
    case 'text':
      return value;
  }
}

/**
 * Renders a template: each known macro becomes its value escaped for `target` (percent-encoded
 * in a URL, JSON-escaped in a JSON body, raw without CR/LF in a header, raw in other bodies); a
 * null or missing value renders empty; unknown macros and other braces stay as written (saving
 * refuses unknown macros, see `unknownMacros`). SPEC section 4.
 */
export function renderTemplate(
  template: string,
  values: MacroValues,
  target: RenderTarget,
): string {
  return template.replace(MACRO_PATTERN, (whole, name: string) => {
    if (!isKnownMacro(name)) return whole;
    const value = macroValue(values, name);
    return value === null ? '' : escapeFor(target, value);
  });
}

/**
 * The macro values of a conversion: its payload, its id as `{conversion_id}`, its time as
 * `{occurred_at}` (ISO) and `{unix}` (whole seconds).
 */
export function conversionMacroValues(conversion: ConversionRecordedEvent): MacroValues {
  const { payload } = conversion;
  const millis = Date.parse(conversion.occurredAt);
  return {
    simple: {
      clickid: payload.clickId,
      conversion_id: conversion.id,
      event: payload.event,
      stage: payload.stage,
      ordinal: payload.ordinal === null ? null : String(payload.ordinal),
      amount: payload.amount,
      currency: payload.currency,
      tid: payload.tid,
      campaign: payload.campaign,
      source: payload.source,
      subscriber_id: payload.subscriberId,
      occurred_at: conversion.occurredAt,
      unix: Number.isFinite(millis) ? String(Math.floor(millis / 1000)) : null,
    },
    fields: payload.fields,
    click: payload.clickParams ?? {},
  };
}
