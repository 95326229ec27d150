import { randomUUID } from 'node:crypto';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { ConsumedEvent, decodeMessage, RawMessage } from './message-codec';
import { fetchTopicOffsets } from './topic-offsets';

/** Offsets by `topic:partition`: a start position or an exclusive end (a high watermark). */
export type OffsetMap = Map<string, bigint>;

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

export function splitPartitionKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf(':');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/** Low (`start`) and high (`end`, exclusive) watermarks of every partition of the topics. */
export async function fetchWatermarks(
  kafka: Kafka,
  topics: readonly string[],
): Promise<{ start: OffsetMap; end: OffsetMap }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const start: OffsetMap = new Map();
    const end: OffsetMap = new Map();
    for (const topic of topics) {
      for (const o of await fetchTopicOffsets(admin, topic)) {
        start.set(partitionKey(topic, o.partition), BigInt(o.low));
        end.set(partitionKey(topic, o.partition), BigInt(o.high));
      }
    }
    return { start, end };
  } finally {
    await admin.disconnect();
  }
}

/** A consumer group's committed offsets (0 where it committed nothing) and whether it has members. */
export async function fetchGroupPosition(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
): Promise<{ offsets: OffsetMap; active: boolean }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets: OffsetMap = new Map();
    for (const { topic, partitions } of await admin.fetchOffsets({
      groupId,
      topics: [...topics],
    })) {
      for (const p of partitions) {
        const committed = BigInt(p.offset);
        offsets.set(partitionKey(topic, p.partition), committed < 0n ? 0n : committed);
      }
    }
    const { groups } = await admin.describeGroups([groupId]);
    const active = groups.some((group) => group.members.length > 0);
    return { offsets, active };
  } finally {
    await admin.disconnect();
  }
}

export interface TopicRangeReaderOptions {
  topics: readonly string[];
  /** Receives decoded messages in offset order per partition, at most `batchSize` at a time. */
  handle: (messages: ConsumedEvent[]) => Promise<void>;
  /** Messages that fail to decode or validate (the live consumer dead-letters them). */
  onUndecodable?: (topic: string, partition: number, offset: string, reason: string) => void;
  batchSize?: number;
  /** Partitions handled in parallel (only where the handler tolerates it). */
  concurrency?: number;
}

/**
 * Reads topics from given positions up to given end offsets, in batches, without a consumer
 * group's committed offsets (nothing is committed): for replays, which read the same history
 * again and then catch up to later ends. Between `readTo` calls finished partitions are paused.
 */
export class TopicRangeReader {
  private readonly consumer: Consumer;
  private readonly positions: OffsetMap = new Map();
  private targets: OffsetMap = new Map();
  private readonly paused = new Set<string>();
  private waiter: { resolve: () => void; reject: (error: Error) => void } | null = null;
  private failure: Error | null = null;
  private started = false;

  constructor(
    kafka: Kafka,
    private readonly options: TopicRangeReaderOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: `replay-reader.${randomUUID()}`,
      maxWaitTimeInMs: 50,
      // kafkajs copies each fetch response into one fresh buffer: with 32 MB responses that copy
      // (page faults mostly) took 9.5% of a replay's loading thread, with 4 MB ones 2.5%.
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 4 * 1024 * 1024,
      sessionTimeout: 60000,
      heartbeatInterval: 3000,
    });
  }

  /** Where the next message of each partition would be read from. */
  get position(): OffsetMap {
    return new Map(this.positions);
  }

  /** Connects and positions every partition at `from` (the low watermark where absent). */
  async start(from: OffsetMap): Promise<void> {
    for (const [key, offset] of from) this.positions.set(key, offset);
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.started = true;
    // Nothing to read until the first readTo: every partition waits at its start.
    for (const key of this.positions.keys()) this.pause(key);
  }

  /** Reads every partition up to (excluding) `ends`; resolves once all of it was handled. */
  readTo(ends: OffsetMap): Promise<void> {
    if (!this.started) throw new Error('TopicRangeReader.readTo before start');
    if (this.failure) return Promise.reject(this.failure);
    this.targets = new Map(ends);
    const done = new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
    for (const [key, end] of this.targets) {
      const position = this.positions.get(key) ?? 0n;
      if (!this.positions.has(key)) this.positions.set(key, 0n);
      if (position < end) this.resume(key, position);
    }
    this.settleIfDone();
    return done;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private remaining(): bigint {
    let left = 0n;
    for (const [key, end] of this.targets) {
      const position = this.positions.get(key) ?? 0n;
      if (position < end) left += end - position;
    }
    return left;
  }

  private settleIfDone(): void {
    if (this.waiter && this.remaining() === 0n) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve();
    }
  }

  private pause(key: string): void {
    if (this.paused.has(key)) return;
    const { topic, partition } = splitPartitionKey(key);
    this.consumer.pause([{ topic, partitions: [partition] }]);
    this.paused.add(key);
  }

  private resume(key: string, position: bigint): void {
    const { topic, partition } = splitPartitionKey(key);
    // Our own position wins over whatever the client fetched ahead before the pause.
    this.consumer.seek({ topic, partition, offset: position.toString() });
    if (this.paused.delete(key)) this.consumer.resume([{ topic, partitions: [partition] }]);
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, resolveOffset } = payload;
    const key = partitionKey(batch.topic, batch.partition);
    const end = this.targets.get(key) ?? 0n;
    let position = this.positions.get(key) ?? 0n;
    if (this.failure || position >= end) {
      this.pause(key);
      return;
    }
    const size = this.options.batchSize ?? 5000;
    let chunk: ConsumedEvent[] = [];
    const flush = async (next: bigint) => {
      if (chunk.length > 0) await this.options.handle(chunk);
      chunk = [];
      position = next;
      this.positions.set(key, next);
      // The client fetches on from here; nothing is committed.
      if (next > 0n) resolveOffset((next - 1n).toString());
      await heartbeat();
    };
    try {
      for (const raw of batch.messages) {
        const offset = BigInt(raw.offset);
        if (offset < position) continue;
        if (offset >= end) break;
        const decoded = decodeMessage(batch.topic, batch.partition, raw as RawMessage);
        if (decoded.ok) chunk.push(decoded.message);
        else this.options.onUndecodable?.(batch.topic, batch.partition, raw.offset, decoded.reason);
        if (chunk.length >= size) await flush(offset + 1n);
        else position = offset + 1n;
      }
      // Offsets a compacted topic or a transaction marker skipped count as read.
      const last = BigInt(batch.lastOffset()) + 1n;
      await flush(last > position ? (last < end ? last : end) : position);
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.waiter?.reject(this.failure);
      this.waiter = null;
      this.pause(key);
      return;
    }
    if (position >= end) this.pause(key);
    this.settleIfDone();
  }
}

/**
 * Positions a consumer group without members at given offsets (tests, ops tools). It joins as
 * a short-lived member and commits: admin.setOffsets first waits out the group's empty fetch,
 * which costs seconds per call.
 */
export async function setGroupOffsets(
  kafka: Kafka,
  groupId: string,
  offsets: OffsetMap,
): Promise<void> {
  const commits = [...offsets].map(([key, offset]) => ({
    ...splitPartitionKey(key),
    offset: offset.toString(),
  }));
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    for (const topic of new Set(commits.map((c) => c.topic))) await consumer.subscribe({ topic });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    await joined;
    await consumer.commitOffsets(commits);
  } finally {
    await consumer.disconnect();
  }
}
