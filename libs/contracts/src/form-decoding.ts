/**
 * Decoding of query strings and form bodies (`application/x-www-form-urlencoded`) as the WHATWG
 * URL standard does it: `+` is a space, `%XX` a byte, a `%` not followed by two hex digits is
 * itself, and the bytes are read as UTF-8 with every invalid sequence as U+FFFD. SPEC section 5
 * "Reading values" and section 9: every parameter (postbacks, `/r/` queries, API parameters)
 * is decoded this one way, so a partner's `%FF` is the U+FFFD a verdict, a read model and an
 * API filter all see, never the literal text `%FF`.
 */

// ignoreBOM: a leading U+FEFF is a character of the value (trimmed later as white space), as
// in the standard's "UTF-8 decode without BOM"; fatal: false replaces instead of throwing.
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const encoder = new TextEncoder();

const hexValue = (byte: number): number =>
  byte >= 0x30 && byte <= 0x39
    ? byte - 0x30
    : byte >= 0x41 && byte <= 0x46
      ? byte - 0x37
      : byte >= 0x61 && byte <= 0x66
        ? byte - 0x57
        : -1;

/** Percent-decoding to bytes, then UTF-8 decoding with U+FFFD for what is not UTF-8. */
function percentDecodeUtf8(text: string): string {
  const bytes = encoder.encode(text);
  const out = new Uint8Array(bytes.length);
  let length = 0;
  for (let at = 0; at < bytes.length; at++) {
    const byte = bytes[at];
    if (byte === 0x25 && at + 2 < bytes.length) {
      const high = hexValue(bytes[at + 1]);
      const low = hexValue(bytes[at + 2]);
      if (high >= 0 && low >= 0) {
        out[length++] = high * 16 + low;
        at += 2;
        continue;
      }
    }
    out[length++] = byte;
  }
  return utf8.decode(out.subarray(0, length));
}

/**
 * One name or value of a query string or form body, decoded: `+` as a space, percent escapes
 * as UTF-8 bytes, invalid UTF-8 (`%FF`, `%C3%28`, an encoded surrogate `%ED%A0%80`) as U+FFFD,
 * a malformed escape (`%`, `%zz`) as the literal text. NUL (`%00`) stays a NUL: what was
 * received (read models replace it when they store it). Never throws.
 */
export function decodeFormComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    // The native decoder agrees with the standard on every input it accepts, and is faster.
    return decodeURIComponent(spaced);
  } catch {
    return percentDecodeUtf8(spaced);
  }
}

/** Parameters of a query string or form body: repeated names as arrays, in order. */
export type FormParams = Record<string, string | string[]>;

/**
 * A query string (without its `?`) or form body, decoded by decodeFormComponent: names and
 * values in order, a repeated name's values as an array, a name without `=` with the value
 * `''`, empty pairs skipped. The object has no prototype, so `__proto__`, `constructor` or
 * `toString` are names like any other (SPEC section 9). Never throws.
 */
export function parseFormEncoded(text: string): FormParams {
  const params = Object.create(null) as FormParams;
  if (text.length === 0) return params;
  for (const pair of text.split('&')) {
    if (pair.length === 0) continue;
    const equals = pair.indexOf('=');
    const name = decodeFormComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decodeFormComponent(pair.slice(equals + 1));
    const current = params[name];
    if (current === undefined) params[name] = value;
    else if (Array.isArray(current)) current.push(value);
    else params[name] = [current, value];
  }
  return params;
}

/**
 * A request target (`/path?query`) whose path every router can decode: unchanged when its
 * path is valid percent-encoded UTF-8 (the usual case); else each path segment decoded as
 * decodeFormComponent decodes a value (invalid UTF-8 as U+FFFD, a malformed escape as the
 * literal text, but `+` stays a plus) and percent-encoded again, so `/api/integrations/%FF`
 * reaches its route with the parameter U+FFFD instead of failing as a bad URL, and an
 * encoded `/` (`%2F`) stays inside its segment. The query is left as received (its own
 * parser decodes it). SPEC section 9: any byte in a path parameter is decoded and matched as
 * data. Never throws.
 */
export function decodablePathTarget(target: string): string {
  const at = target.indexOf('?');
  const path = at < 0 ? target : target.slice(0, at);
  if (!path.includes('%')) return target;
  try {
    decodeURIComponent(path);
    return target;
  } catch {
    const fixed = path
      .split('/')
      .map((segment) =>
        segment.includes('%') ? encodeURIComponent(percentDecodeUtf8(segment)) : segment,
      )
      .join('/');
    return at < 0 ? fixed : `${fixed}${target.slice(at)}`;
  }
}
