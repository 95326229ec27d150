import { Client } from 'pg';

/**
 * What PostgreSQL refuses to store, and what a read model stores instead (SPEC section 9: a NUL
 * or a lone surrogate from a partner, a visitor or a tenant becomes U+FFFD in read models; the
 * events keep what was received).
 *
 * - In text, a NUL (U+0000) is refused (`invalid byte sequence for encoding "UTF8": 0x00`). A
 *   lone surrogate never reaches the server: Node encodes it as U+FFFD on the way out.
 * - In JSON cast to json/jsonb, the escapes `\u0000` and a lone `\ud800`–`\udfff` are refused
 *   (`unsupported Unicode escape sequence`); `JSON.stringify` writes exactly those escapes.
 */
export const REPLACEMENT_CHARACTER = '\ufffd';

const NUL = /\0/g;

// A NUL or surrogate escape that is not itself escaped (an even run of backslashes before it);
// a valid pair (high then low) is matched whole so that it is kept.
const UNSTORABLE_ESCAPE =
  /(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2}\\ud[c-f][0-9a-f]{2}|0000|d[89a-f][0-9a-f]{2})/gi;

/** Text with its NULs replaced by U+FFFD; the same string when it has none (the usual case). */
export function storableText(text: string): string {
  return text.includes('\0') ? text.replace(NUL, REPLACEMENT_CHARACTER) : text;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A string as a read model will hold it: NULs and lone surrogates replaced by U+FFFD. For
 * values compared in memory with what was read back from PostgreSQL (a tid, a field), so two
 * values that are stored alike are also judged alike.
 */
export function storableString(text: string): string {
  return storableText(text).replace(LONE_SURROGATE, REPLACEMENT_CHARACTER);
}

/**
 * JSON text with the escapes jsonb refuses (NUL, lone surrogates) replaced by `\ufffd`; valid
 * surrogate pairs stay. The same string when it has no `\u` escape at all (the usual case).
 */
export function storableJsonText(json: string): string {
  if (!json.includes('\\u')) return json;
  return json.replace(UNSTORABLE_ESCAPE, (match, backslashes: string, code: string) =>
    code.length > 4 ? match : `${backslashes}\\ufffd`,
  );
}

/** A value as JSON that json/jsonb accept (see storableJsonText). */
export function storableJson(value: unknown): string {
  return storableJsonText(JSON.stringify(value));
}

/** Escapes only appear in JSON text; a cheap test keeps the JSON.parse below off the hot path. */
const MAY_HOLD_UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * One query parameter made storable, as the driver would send it:
 * - a string loses its NULs; when it is a JSON document (the writers pass batches as one JSON
 *   parameter cast to jsonb; TypeORM passes jsonb columns as JSON text) its refused escapes
 *   are replaced too; a plain text that only looks like an escape (`\u0000` typed literally)
 *   is not JSON and stays as it is;
 * - arrays element by element; plain objects, which the driver would JSON.stringify, as
 *   storable JSON; dates, buffers, numbers and the rest unchanged.
 */
export function storableParameter(value: unknown): unknown {
  if (typeof value === 'string') {
    // One scan on the hot path: a batch's JSON document may be megabytes, nearly always clean.
    if (!value.includes('\0') && !value.includes('\\u')) return value;
    const text = storableText(value);
    return MAY_HOLD_UNSTORABLE_ESCAPE.test(text) && isJsonText(text)
      ? storableJsonText(text)
      : text;
  }
  if (Array.isArray(value)) return value.map(storableParameter);
  if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Date) &&
    !Buffer.isBuffer(value) &&
    !ArrayBuffer.isView(value) &&
    typeof (value as { toPostgres?: unknown }).toPostgres !== 'function'
  )
    return storableJson(value);
  return value;
}

type QueryArguments = unknown[];

function storableArguments(args: QueryArguments): QueryArguments {
  const [config, values] = args;
  if (Array.isArray(values)) return [config, values.map(storableParameter), ...args.slice(2)];
  if (
    config !== null &&
    typeof config === 'object' &&
    typeof (config as { submit?: unknown }).submit !== 'function' &&
    Array.isArray((config as { values?: unknown }).values)
  ) {
    const query = config as { values: unknown[] };
    return [{ ...query, values: query.values.map(storableParameter) }, ...args.slice(1)];
  }
  return args;
}

/**
 * The pg client every app's pool uses (`extra.Client`): each query's parameters pass through
 * storableParameter, so every read model, the registry and every API filter store and match
 * the same U+FFFD for a NUL or lone surrogate, whichever writer or query sent it. COPY streams
 * (pg-copy-streams) carry no parameters and escape their own text (postback-log rows).
 */
export class StorableClient extends Client {
  // pg's query() has a dozen overloads; this forwards any of them.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (Client.prototype.query as (...a: unknown[]) => any).apply(
      this,
      storableArguments(args),
    );
  }
}
