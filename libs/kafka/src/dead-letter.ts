import { dlqTopic } from '@tracker/contracts';
import { IHeaders, Message } from 'kafkajs';
import { Counter, register } from 'prom-client';
import { EventProducer } from './event-producer';
import { RawMessage } from './message-codec';
import { MAX_MESSAGE_BYTES, messageBytes } from './message-size';

export interface DeadLetter {
  topic: string;
  partition: number;
  raw: RawMessage;
  reason: string;
  /** Which consumer step gave up on it, e.g. `postback-log.projection`. */
  step: string;
}

const deadLetters =
  (register.getSingleMetric('tracker_kafka_dead_letters_total') as Counter | undefined) ??
  new Counter({
    name: 'tracker_kafka_dead_letters_total',
    help: 'Messages moved to a <topic>.dlq topic',
    labelNames: ['topic', 'step'],
  });

/** Reasons may quote attacker-controlled data; keep headers short and single-line. */
function clip(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 1000);
}

const text = (value: unknown): string | null =>
  typeof value === 'string' ? clip(value).slice(0, 200) : null;

/**
 * Log fields naming a dead letter: where it was and, when its value is still JSON, the event's
 * id, type and correlation id (the click id), so an operator can follow it across services.
 */
export function deadLetterLogFields(letter: DeadLetter): Record<string, unknown> {
  let envelope: Record<string, unknown> = {};
  const value = letter.raw.value;
  if (value && value.length <= 64 * 1024) {
    try {
      const parsed: unknown = JSON.parse(value.toString('utf8'));
      if (parsed && typeof parsed === 'object') envelope = parsed as Record<string, unknown>;
    } catch {
      // not JSON: the reason says so; there is no id to report
    }
  }
  return {
    topic: letter.topic,
    partition: letter.partition,
    offset: letter.raw.offset,
    step: letter.step,
    reason: clip(letter.reason),
    eventId: text(envelope.id),
    eventType: text(envelope.type),
    correlationId: text(envelope.correlationId),
  };
}

/** Copies a message that cannot be processed to `<topic>.dlq`, with why, where and when. */
export async function sendToDeadLetter(producer: EventProducer, letters: DeadLetter[]) {
  if (letters.length === 0) return;
  const byTopic = new Map<string, DeadLetter[]>();
  for (const letter of letters) {
    const list = byTopic.get(letter.topic) ?? [];
    list.push(letter);
    byTopic.set(letter.topic, list);
  }
  await Promise.all(
    [...byTopic].map(([topic, list]) =>
      producer.send(
        dlqTopic(topic),
        list.map(({ raw, reason, step, partition }) => {
          const headers: IHeaders = {
            ...(raw.headers ?? {}),
            'dlq.reason': clip(reason),
            'dlq.step': step,
            'dlq.time': new Date().toISOString(),
            'dlq.topic': topic,
            'dlq.partition': String(partition),
            'dlq.offset': raw.offset,
          };
          const letter = { key: raw.key, value: raw.value, headers };
          const bytes = messageBytes(letter);
          // The headers can push a message that just fit over the limit: keep its identity.
          if (bytes <= MAX_MESSAGE_BYTES) return letter;
          return {
            ...letter,
            value: Buffer.from(JSON.stringify(envelopeSummary(raw.value, bytes))),
            headers: { ...headers, 'dlq.value-dropped': `${bytes} bytes` },
          };
        }),
      ),
    ),
  );
  for (const letter of letters) deadLetters.inc({ topic: letter.topic, step: letter.step });
}

/**
 * The dead letter of a message that can never be produced (above MAX_MESSAGE_BYTES), e.g. an
 * outbox row: writers bound what they enqueue, so this is a bug path, and it must not block the
 * rows behind it (SPEC section 9). The record keeps the envelope's id, type, account and
 * correlation id and the size, not the value, which the broker would refuse as well.
 */
export function oversizedDeadLetter(
  topic: string,
  message: Message,
  bytes: number,
  step: string,
): DeadLetter {
  const summary = envelopeSummary(message.value ?? null, bytes);
  const key = message.key === null || message.key === undefined ? null : Buffer.from(message.key);
  return {
    topic,
    partition: -1,
    raw: {
      key,
      value: Buffer.from(JSON.stringify(summary)),
      headers: message.headers,
      offset: '-1',
      timestamp: String(Date.now()),
    },
    reason: `message of ${bytes} bytes exceeds the broker limit of ${MAX_MESSAGE_BYTES} bytes`,
    step,
  };
}

/** What identifies an event too large to keep whole: its envelope's ids and its size. */
function envelopeSummary(value: Buffer | string | null, bytes: number): Record<string, unknown> {
  let envelope: Record<string, unknown> = {};
  try {
    const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
    if (typeof text === 'string') envelope = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: the summary has the size only
  }
  return {
    id: envelope.id ?? null,
    type: envelope.type ?? null,
    version: envelope.version ?? null,
    accountId: envelope.accountId ?? null,
    correlationId: envelope.correlationId ?? null,
    bytes,
  };
}

/**
 * Sorts an outbox round's messages into those the broker accepts and the dead letters of the
 * rest (see oversizedDeadLetter), so one oversized row never wedges a relay.
 */
export function admitMessages(
  topic: string,
  messages: Message[],
  step: string,
): { admitted: Message[]; letters: DeadLetter[] } {
  const admitted: Message[] = [];
  const letters: DeadLetter[] = [];
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (bytes > MAX_MESSAGE_BYTES) letters.push(oversizedDeadLetter(topic, message, bytes, step));
    else admitted.push(message);
  }
  return { admitted, letters };
}
