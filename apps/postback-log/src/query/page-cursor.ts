import { BadRequestException } from '@nestjs/common';

/** Position after the last item of a page: its (receivedAt, id), newest first. */
export interface PageCursor {
  receivedAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque to clients: base64url JSON, so its shape can change without breaking them. */
export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.receivedAt, cursor.id])).toString('base64url');
}

export function decodeCursor(raw: string): PageCursor {
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
    return { receivedAt: new Date(parsed[0]).toISOString(), id: parsed[1] };
  }
  throw new BadRequestException('cursor is invalid: pass the nextCursor of a previous page');
}
