import { createHash, randomFillSync } from 'node:crypto';

/**
 * Any RFC 9562 UUID in canonical lower- or upper-case form, as a pattern without flags (an
 * OpenAPI `pattern` cannot say "case-insensitive").
 */
export const UUID_PATTERN =
  '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
export const UUID_REGEX = new RegExp(UUID_PATTERN);

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_REGEX.test(value);
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function formatUuid(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX[bytes[i]];
  }
  return out;
}

// Event ids are minted per postback on the hot path: draw entropy in blocks, not per id.
const POOL_BYTES = 16 * 256;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

function fillRandom(target: Uint8Array): void {
  if (poolOffset + target.length > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(target, 0, poolOffset, poolOffset + target.length);
  poolOffset += target.length;
}

// RFC 9562 §6.2 method 1: the 12-bit rand_a field is a counter within one millisecond,
// seeded with its top bit clear so it rarely overflows; overflow borrows the next ms.
let lastMs = -1;
let counter = 0;

/**
 * A UUID version 7: 48-bit Unix-ms timestamp, then randomness. Ids minted by one process are
 * strictly increasing (also if the clock steps back), so they sort by creation time.
 */
export function uuidV7(): string {
  const bytes = new Uint8Array(16);
  fillRandom(bytes);

  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    counter = ((bytes[6] << 8) | bytes[7]) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = ((bytes[6] << 8) | bytes[7]) & 0x7ff;
  }

  // Bitwise operators are 32-bit, so split the 48-bit timestamp arithmetically.
  const high = Math.floor(lastMs / 0x1_0000_0000);
  const low = lastMs >>> 0;
  bytes[0] = (high >>> 8) & 0xff;
  bytes[1] = high & 0xff;
  bytes[2] = (low >>> 24) & 0xff;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = 0x70 | (counter >>> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  return formatUuid(bytes);
}

/** The Unix-ms timestamp a UUID v7 carries, or null for any other string. */
export function uuidV7Timestamp(id: string): number | null {
  if (!isUuid(id) || id[14] !== '7') return null;
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/**
 * Root namespace of tracker-derived ids. Binding: changing it changes every derived id and
 * so breaks exactly-once across a deploy.
 */
export const EVENT_ID_NAMESPACE = '043607db-80af-457f-8ec0-93761ec3b629';

const NAMESPACE_BYTES = Buffer.from(EVENT_ID_NAMESPACE.replace(/-/g, ''), 'hex');

/**
 * A name-based UUID (version 5, SHA-1, RFC 9562 §5.5) for the same inputs, always: a service
 * re-derives the id of the event it emits for a cause (e.g. the ConversionRecorded of a
 * postback) after a crash or a replay, and downstream deduplication by id does the rest.
 *
 * The name is `JSON.stringify([namespace, ...parts])`, which is unambiguous for any strings
 * and easy to reproduce elsewhere: `uuidv5(JSON.stringify(['conversion', id]), EVENT_ID_NAMESPACE)`.
 */
export function deterministicEventId(namespace: string, ...parts: string[]): string {
  const name = JSON.stringify([namespace, ...parts]);
  const digest = createHash('sha1').update(NAMESPACE_BYTES).update(name, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = 0x50 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  return formatUuid(bytes);
}
