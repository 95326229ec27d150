import type { ConsumerDeserializer, IncomingEvent } from '@nestjs/microservices';
import { EventHeaders, parseEvent, type AnyEvent } from '@tracker/contracts';

/** What a handler gets: a contract-checked event, or why the message was not one we read. */
export type ConversionsMessage =
  { kind: 'event'; event: AnyEvent } | { kind: 'skipped'; reason: string; offset: string };

interface RawKafkaMessage {
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
  offset: string;
}

/** Event types and versions this subscriber reads; others on the topic are not its business. */
const READS = new Set(['ConversionRecorded/1']);

const text = (value: Buffer | string | undefined) =>
  value === undefined ? undefined : Buffer.isBuffer(value) ? value.toString('utf8') : value;

/**
 * Reads the tracker's envelope (SPEC section 3): routes on the `type` and `version` Kafka
 * headers without parsing the value, then decodes and validates the value with the contract
 * of `libs/contracts` (`parseEvent`). The Nest pattern stays the topic name: the Kafka
 * transport subscribes to the topics its patterns name.
 */
export class ConversionEnvelopeDeserializer implements ConsumerDeserializer {
  deserialize(message: RawKafkaMessage, options?: { channel?: string }): IncomingEvent {
    const type = text(message.headers[EventHeaders.Type]);
    const version = text(message.headers[EventHeaders.Version]);
    const skip = (reason: string): IncomingEvent => ({
      pattern: options?.channel ?? '',
      data: { kind: 'skipped', reason, offset: message.offset } satisfies ConversionsMessage,
    });
    if (!READS.has(`${type}/${version}`)) return skip(`not read here: ${type} v${version}`);
    const parsed = parseEvent(message.value);
    if (!parsed.ok) return skip(parsed.error);
    return {
      pattern: options?.channel ?? '',
      data: { kind: 'event', event: parsed.event } satisfies ConversionsMessage,
    };
  }
}
