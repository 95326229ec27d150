import { FieldBadRequestException } from '@tracker/platform';

/**
 * Position after the last item of a keyset page: the item's sort instant and its uuid, the
 * ordering every list endpoint uses (SPEC section 4: `limit`, `cursor`, `nextCursor`).
 */
export interface PageCursor {
  /** ISO 8601 instant (normalised by decodePageCursor). */
  at: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: base64url JSON, so its shape can change without breaking them. */
export function encodePageCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.at, cursor.id])).toString('base64url');
}

/**
 * Reads a cursor this API handed out.
 * @throws FieldBadRequestException (400, `field: "cursor"`) (SPEC section 9: a parameter failing its own
 *   format is a 400 naming it) for anything else.
 */
export function decodePageCursor(raw: string): PageCursor {
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
    !Number.isNaN(Date.parse(parsed[0])) &&
    UUID.test(parsed[1])
  ) {
    return { at: new Date(parsed[0]).toISOString(), id: parsed[1] };
  }
  throw new FieldBadRequestException(
    'cursor',
    'cursor is invalid: pass the nextCursor of a previous page',
  );
}
