import { randomUUID } from 'node:crypto';
import { dlqTopic } from '@tracker/contracts';
import { IHeaders, Kafka } from 'kafkajs';
import { headersToStrings } from './message-codec';
import { fetchTopicOffsets } from './topic-offsets';

/** One message of a `<topic>.dlq` topic, as `npm run dlq` lists it. */
export interface DeadLetterRecord {
  /** Where it sits in the dead-letter topic. */
  partition: number;
  offset: string;
  /** Why and where it was given up on (the `dlq.*` headers sendToDeadLetter wrote). */
  reason: string | null;
  step: string | null;
  /** The envelope's id and correlation id (the click id), when the value is still JSON. */
  eventId: string | null;
  clickId: string | null;
  /** Where it came from. */
  topic: string;
  sourcePartition: string | null;
  sourceOffset: string | null;
  /** Whether an earlier `--redrive` already re-published it. */
  redriven: boolean;
}

interface RawDeadLetter {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** The consumer group whose committed offsets on `<topic>.dlq` mark what was re-driven. */
export const redriveGroupOf = (groupPrefix: string, topic: string) =>
  `${groupPrefix}.dlq-redrive.${topic}`;

const REDRIVE_TRANSACTION_TIMEOUT_MS = 60_000;

function envelopeOf(value: Buffer | null): { id: string | null; correlationId: string | null } {
  if (!value) return { id: null, correlationId: null };
  try {
    const parsed = JSON.parse(value.toString('utf8')) as { id?: unknown; correlationId?: unknown };
    return {
      id: typeof parsed.id === 'string' ? parsed.id : null,
      correlationId: typeof parsed.correlationId === 'string' ? parsed.correlationId : null,
    };
  } catch {
    return { id: null, correlationId: null };
  }
}

/** Every message of `dlq` from `from` (per partition; the low watermark where absent) to the end. */
async function readRange(
  kafka: Kafka,
  dlq: string,
  from: Map<number, bigint>,
): Promise<RawDeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  const starts = new Map<number, bigint>();
  try {
    const offsets = await fetchTopicOffsets(admin, dlq);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    for (const o of offsets) {
      const low = BigInt(o.low);
      const at = from.get(o.partition) ?? low;
      starts.set(o.partition, at > low ? at : low);
    }
  } finally {
    await admin.disconnect();
  }
  const wanted = [...ends].filter(([partition, end]) => starts.get(partition)! < end);
  if (wanted.length === 0) return [];
  const letters: RawDeadLetter[] = [];
  const consumer = kafka.consumer({ groupId: `dlq-reader.${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: dlq, fromBeginning: true });
    const remaining = new Set(wanted.map(([partition]) => partition));
    let finish: { resolve: () => void; reject: (error: Error) => void } | undefined;
    const finished = new Promise<void>((resolve, reject) => (finish = { resolve, reject }));
    consumer.on(consumer.events.CRASH, ({ payload }) => finish?.reject(payload.error));
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const { partition } = batch;
        const end = ends.get(partition) ?? 0n;
        const start = starts.get(partition) ?? 0n;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset < start || offset >= end) continue;
          letters.push({
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
        }
        // lastOffset counts control records too, which never reach `messages`.
        if (BigInt(batch.lastOffset()) + 1n >= end && remaining.delete(partition))
          if (remaining.size === 0) finish?.resolve();
      },
    });
    for (const [partition] of wanted)
      consumer.seek({ topic: dlq, partition, offset: starts.get(partition)!.toString() });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return letters.sort((a, b) =>
    a.partition !== b.partition
      ? a.partition - b.partition
      : Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/** The redrive group's committed position per partition of `dlq` (nothing when none). */
async function redrivenUpTo(kafka: Kafka, groupId: string, dlq: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [dlq] });
    return new Map(
      (committed?.partitions ?? [])
        .filter((p) => BigInt(p.offset) >= 0n)
        .map((p) => [p.partition, BigInt(p.offset)]),
    );
  } finally {
    await admin.disconnect();
  }
}

function recordOf(topic: string, letter: RawDeadLetter, redriven: boolean): DeadLetterRecord {
  const headers = headersToStrings(letter.headers);
  const envelope = envelopeOf(letter.value);
  return {
    partition: letter.partition,
    offset: letter.offset,
    reason: headers['dlq.reason'] ?? null,
    step: headers['dlq.step'] ?? null,
    eventId: envelope.id,
    clickId: envelope.correlationId,
    topic: headers['dlq.topic'] ?? topic,
    sourcePartition: headers['dlq.partition'] ?? null,
    sourceOffset: headers['dlq.offset'] ?? null,
    redriven,
  };
}

/**
 * Every dead letter of `topic` (read from `<topic>.dlq`), oldest first per partition, each
 * marked with whether `--redrive` already re-published it (SPEC section 9).
 */
export async function listDeadLetters(
  kafka: Kafka,
  topic: string,
  groupPrefix: string,
): Promise<DeadLetterRecord[]> {
  const dlq = dlqTopic(topic);
  const done = await redrivenUpTo(kafka, redriveGroupOf(groupPrefix, topic), dlq);
  const letters = await readRange(kafka, dlq, new Map());
  return letters.map((letter) =>
    recordOf(topic, letter, BigInt(letter.offset) < (done.get(letter.partition) ?? 0n)),
  );
}

/**
 * Re-publishes every dead letter of `topic` not re-driven before onto `topic`, with its key,
 * value and original headers (the `dlq.*` ones dropped, `dlq.redriven-from` added), exactly
 * once: each is produced in one Kafka transaction with the redrive group's offset past it, so
 * a second run, or one after a crash, re-publishes nothing twice. Returns what it re-published.
 * Consumers read committed messages only, so an aborted attempt is never seen.
 */
export async function redriveDeadLetters(
  kafka: Kafka,
  topic: string,
  groupPrefix: string,
): Promise<DeadLetterRecord[]> {
  const dlq = dlqTopic(topic);
  const groupId = redriveGroupOf(groupPrefix, topic);
  const letters = await readRange(kafka, dlq, await redrivenUpTo(kafka, groupId, dlq));
  if (letters.length === 0) return [];
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // One id per topic and prefix: a second redrive fences a crashed first one's transaction.
    transactionalId: `${groupId}.producer`,
    transactionTimeout: REDRIVE_TRANSACTION_TIMEOUT_MS,
  });
  await producer.connect();
  const redriven: DeadLetterRecord[] = [];
  try {
    for (const letter of letters) {
      const headers: IHeaders = {};
      for (const [name, value] of Object.entries(letter.headers))
        if (!name.startsWith('dlq.') && value !== undefined) headers[name] = value;
      headers['dlq.redriven-from'] = `${dlq}:${letter.partition}:${letter.offset}`;
      const transaction = await producer.transaction();
      try {
        await transaction.send({
          topic,
          messages: [{ key: letter.key, value: letter.value, headers }],
        });
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [
            {
              topic: dlq,
              partitions: [
                { partition: letter.partition, offset: (BigInt(letter.offset) + 1n).toString() },
              ],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
      redriven.push(recordOf(topic, letter, true));
    }
  } finally {
    await producer.disconnect();
  }
  return redriven;
}
