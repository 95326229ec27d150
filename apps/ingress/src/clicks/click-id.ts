import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const LENGTH = 16;
const RANDOM_BITS = 63n;
const RANDOM_MASK = (1n << RANDOM_BITS) - 1n;
/** Seconds since 2024-01-01T00:00:00Z: 32 bits last until 2160. */
const EPOCH_SECONDS = 1704067200;

/**
 * Click ids of 16 base62 characters: 32 bits of time in seconds followed by 63 bits from the
 * CSPRNG (enumeration is useless). Within one process an id is never reissued: the clock never
 * steps back and the random parts issued in the current second are remembered.
 */
export class ClickIdGenerator {
  private second = 0;
  private issuedThisSecond = new Set<bigint>();
  private pool = Buffer.alloc(0);
  private poolOffset = 0;

  next(now = Date.now()): string {
    const second = Math.max(this.second, Math.floor(now / 1000) - EPOCH_SECONDS);
    if (second !== this.second) {
      this.second = second;
      this.issuedThisSecond = new Set();
    }
    let random = this.random63();
    while (this.issuedThisSecond.has(random)) random = this.random63();
    this.issuedThisSecond.add(random);
    return toBase62((BigInt(second) << RANDOM_BITS) | random);
  }

  /** Drawn from a pooled buffer: one randomBytes call per 512 ids instead of one per id. */
  private random63(): bigint {
    if (this.poolOffset + 8 > this.pool.length) {
      this.pool = randomBytes(8 * 512);
      this.poolOffset = 0;
    }
    const value = this.pool.readBigUInt64BE(this.poolOffset) & RANDOM_MASK;
    this.poolOffset += 8;
    return value;
  }
}

function toBase62(value: bigint): string {
  let out = '';
  let rest = value;
  while (rest > 0n) {
    out = ALPHABET[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(LENGTH, '0');
}
