import { IHeaders, Message } from 'kafkajs';

/**
 * The largest message (key + value + headers, in bytes) this project produces. The broker's
 * default `message.max.bytes` is 1,048,588 per record batch; the rest is left for the batch and
 * record framing. SPEC section 9: no event, produce request or outbox batch exceeds what the
 * broker accepts.
 */
export const MAX_MESSAGE_BYTES = 1_000_000;

/** Per-record framing the size estimate adds (varints, attributes, offsets, timestamps). */
const RECORD_OVERHEAD_BYTES = 64;

/** A message that can never be produced: retrying it would block everything behind it. */
export class MessageTooLargeError extends Error {
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`a message of ${bytes} bytes for ${topic} exceeds the limit of ${limit} bytes`);
    this.name = 'MessageTooLargeError';
  }
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

function headerBytes(headers: IHeaders | undefined): number {
  let total = 0;
  for (const [name, value] of Object.entries(headers ?? {})) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) total += Buffer.byteLength(name) + byteLength(one as Buffer | string);
  }
  return total;
}

/** Bytes a message takes in a record batch (an upper estimate: key, value, headers, framing). */
export function messageBytes(message: Message): number {
  return (
    byteLength(message.key as Buffer | string | null | undefined) +
    byteLength(message.value) +
    headerBytes(message.headers) +
    RECORD_OVERHEAD_BYTES
  );
}
