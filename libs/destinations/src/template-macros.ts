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

/** The text between the quotes is one macro and nothing else (`{fbc}`). */
const WHOLE_MACRO = /^\{([a-z_]+(?:\.[A-Za-z0-9_.-]+)?)\}$/;

/** Where each JSON string literal of a template starts and ends (its closing quote + 1). */
function stringLiterals(template: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let at = template.indexOf('"');
  while (at !== -1) {
    let end = at + 1;
    while (end < template.length && template[end] !== '"') end += template[end] === '\\' ? 2 : 1;
    spans.push({ start: at, end: end + 1 });
    at = template.indexOf('"', end + 1);
  }
  return spans;
}

const JSON_SPACE = /[ \t\r\n]/;

/** The index of the first non-space character from `at` on (`step` 1) or back (`step` -1). */
function skipSpace(template: string, at: number, step: 1 | -1): number {
  while (at >= 0 && at < template.length && JSON_SPACE.test(template[at])) at += step;
  return at;
}

/**
 * A JSON body's template without the object members whose value is `"{fbc}"` for a click
 * without fbclid, each with the comma that joined it to a neighbour: Facebook refuses an empty
 * or half-built click id but takes a missing one. Only `{fbc}` (our addition to SPEC section 4's
 * macros) is left out so; SPEC's own macros keep its rule (a null value renders empty). Anything
 * that is not such a member (array items, longer strings) is left as written.
 */
function withoutNullMembers(template: string, values: MacroValues): string {
  const spans = stringLiterals(template);
  const members: Array<{ key: number; end: number }> = [];
  for (let i = 0; i + 1 < spans.length; i++) {
    const key = spans[i];
    const value = spans[i + 1];
    const macro = WHOLE_MACRO.exec(template.slice(value.start + 1, value.end - 1));
    if (!macro || macro[1] !== 'fbc' || macroValue(values, macro[1]) !== null) continue;
    const colon = skipSpace(template, key.end, 1);
    if (template[colon] !== ':' || skipSpace(template, colon + 1, 1) !== value.start) continue;
    members.push({ key: key.start, end: value.end });
  }
  // Last first: a cut changes only the text after the members still to cut, and each cut sees
  // its neighbours as they are by then (two dropped in a row must not leave a comma behind).
  let out = template;
  for (const { key, end } of members.reverse()) {
    const before = skipSpace(out, key - 1, -1);
    const after = skipSpace(out, end, 1);
    if (out[before] !== '{' && out[before] !== ',') continue;
    if (out[after] === ',') out = out.slice(0, key) + out.slice(skipSpace(out, after + 1, 1));
    else if (out[after] !== '}') continue;
    else if (out[before] === ',') out = out.slice(0, before) + out.slice(end);
    else out = out.slice(0, key) + out.slice(end);
  }
  return out;
}

/**
 * Renders a template: each known macro becomes its value escaped for `target` (percent-encoded
 * in a URL, JSON-escaped in a JSON body, raw without CR/LF in a header, raw in other bodies); a
 * null or missing value renders empty, except that in a JSON body an object member whose value
 * is `"{fbc}"` is left out when the click has no fbclid; unknown macros and other braces stay as written
 * (saving refuses unknown macros, see `unknownMacros`). SPEC section 4.
 */
export function renderTemplate(
  template: string,
  values: MacroValues,
  target: RenderTarget,
): string {
  const source = target === 'json' ? withoutNullMembers(template, values) : template;
  return source.replace(MACRO_PATTERN, (whole, name: string) => {
    if (!isKnownMacro(name)) return whole;
    const value = macroValue(values, name);
    return value === null ? '' : escapeFor(target, value);
  });
}

/**
 * Facebook's click id (`fbc`): `fb.1.<ms when the fbclid was first seen>.<fbclid>`, the click's
 * time standing for the first sighting; null without a non-empty `fbclid` on the click, since a
 * value without it is refused ("Click ID Incorrectly Formatted").
 */
export function facebookClickId(
  clickParams: Readonly<Record<string, string>>,
  clickedAt: string,
): string | null {
  const fbclid = lookup(clickParams, 'fbclid');
  const clickedMs = Date.parse(clickedAt);
  if (!fbclid || !Number.isFinite(clickedMs)) return null;
  return `fb.1.${clickedMs}.${fbclid}`;
}

/**
 * The macro values of a conversion: its payload, its id as `{conversion_id}`, its time as
 * `{occurred_at}` (ISO) and `{unix}` (whole seconds), Facebook's click id as `{fbc}`.
 */
export function conversionMacroValues(conversion: ConversionRecordedEvent): MacroValues {
  const { payload } = conversion;
  const click = payload.clickParams ?? {};
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
      fbc: facebookClickId(click, payload.clickedAt),
    },
    fields: payload.fields,
    click,
  };
}
