import { FieldBadRequestException } from '@tracker/platform';

/**
 * Position after the last item of a keyset page: the item's sort value and its unique id, the
 * ordering every list endpoint uses (SPEC section 4: `limit`, `cursor`, `nextCursor`).
 */
export interface PageCursor {
  /**
   * The sort value: an ISO 8601 instant (normalised by decodePageCursor), or for a list sorted
   * by a position (PageCursorFormat `integer`) a non-negative decimal integer.
   */
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Non-negative, within PostgreSQL's integer. */
const POSITION = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * What a list's cursor holds, so decoding can refuse anything its query could not bind: by
 * default an instant and a uuid (integrations, keys, destinations, logs, conversions,
 * deliveries).
 */
export interface PageCursorFormat {
  at: 'instant' | 'integer';
  /** The tie-breaking id's own format (a uuid, a link id, an event name). */
  id: RegExp;
}

const INSTANT_AND_UUID: PageCursorFormat = { at: 'instant', id: UUID };

function sortValue(raw: string, format: PageCursorFormat): string | null {
  if (format.at === 'integer') return POSITION.test(raw) && Number(raw) <= 2 ** 31 - 1 ? raw : null;
  return Number.isNaN(Date.parse(raw)) ? null : new Date(raw).toISOString();
}

/** Opaque to clients: base64url JSON, so its shape can change without breaking them. */
export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

/**
 * Reads a cursor this API handed out.
 * @throws FieldBadRequestException (400, `field: "cursor"`) (SPEC section 9: a parameter failing its own
 *   format is a 400 naming it) for anything else.
 */
export function decodePageCursor(
  raw: string,
  format: PageCursorFormat = INSTANT_AND_UUID,
): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    typeof parsed[1] === 'string' &&
    format.id.test(parsed[1])
  ) {
    const at = sortValue(parsed[0], format);
    if (at !== null) return { at, id: parsed[1] };
  }
  throw new FieldBadRequestException(
    'cursor',
    'cursor is invalid: pass the nextCursor of a previous page',
  );
}
