/**
 * Values of a postback's parameters as every verdict reads them (SPEC section 5 "Reading
 * values"): well-formed, trimmed, a repeated parameter's first value, macros recognised.
 */

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
