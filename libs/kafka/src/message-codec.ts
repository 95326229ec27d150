import { AnyEvent, validateEvent } from '@tracker/contracts';
import { IHeaders, Message } from 'kafkajs';

/** A message as every handler sees it: already parsed and checked against libs/contracts. */
export interface ConsumedEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** null for a tombstone (a compacted topic's delete marker). */
  event: AnyEvent | null;
  headers: Record<string, string>;
  timestamp: string;
  /** Bytes of the message's value as read (0 for a tombstone): what holding it in memory costs. */
  size?: number;
}

export type DecodeResult =
  { ok: true; message: ConsumedEvent } | { ok: false; reason: string; key: string | null };

export interface RawMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  offset: string;
  timestamp: string;
}

export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    out[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return out;
}

/** Serialises an event: JSON value plus `type`/`version` headers so consumers can route unparsed. */
export function encodeEvent(event: AnyEvent, key: string): Message {
  return encodeSerializedEvent(JSON.stringify(event), event, key);
}

/**
 * An event already serialised and checked against the contract (an outbox row's JSON), as the
 * same message `encodeEvent` makes of it: no second parse, check and stringify per event.
 */
export function encodeSerializedEvent(
  json: string,
  { type, version }: { type: string; version: number | string },
  key: string,
): Message {
  return { key, value: json, headers: { type, version: String(version) } };
}

export function decodeMessage(topic: string, partition: number, raw: RawMessage): DecodeResult {
  const key = raw.key ? raw.key.toString('utf8') : null;
  const base = {
    topic,
    partition,
    offset: raw.offset,
    key,
    headers: headersToStrings(raw.headers),
    timestamp: raw.timestamp,
  };
  if (raw.value === null) return { ok: true, message: { ...base, event: null, size: 0 } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}`, key };
  }
  const checked = validateEvent(parsed);
  if (!checked.ok) return { ok: false, reason: `contract violation: ${checked.error}`, key };
  return { ok: true, message: { ...base, event: checked.event, size: raw.value.length } };
}
