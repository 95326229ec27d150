import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, Kafka } from 'kafkajs';
import { ConsumedEvent, decodeMessage, RawMessage } from './message-codec';
import { IDLE_FETCH_WAIT_MS } from './idle-fetch';
import { fetchTopicOffsets } from './topic-offsets';
import { TransientError } from './transient-error';

export interface KafkaTableOptions<V> {
  topic: string;
  /** Consumer-group prefix; a random suffix gives every process its own full copy. */
  groupPrefix: string;
  /** Turns a message into the stored value; null (or a tombstone) deletes the key. */
  toValue: (message: ConsumedEvent) => V | null;
  /** Called after every applied change, e.g. to maintain secondary indexes. */
  onChange?: (key: string, value: V | null, previous: V | undefined) => void;
  /**
   * Consumer-group session timeout in ms (KAFKA_SESSION_TIMEOUT_MS, as for the batch
   * consumers); default 30 s. The heartbeat is a third of it, at most 3 s.
   */
  sessionTimeoutMs?: number;
}

/**
 * An in-memory, always-current copy of a compacted topic (integrations, accounts). Every
 * process reads all partitions from the beginning. `catchUp()` gives read-your-writes: it
 * waits until everything that was on the topic when it was called has been applied.
 */
export class KafkaTable<V> {
  private readonly logger: Logger;
  private readonly rows = new Map<string, V>();
  /** Next offset to apply per partition. */
  private readonly positions = new Map<number, bigint>();
  private readonly waiters = new Set<() => void>();
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private round: Promise<void> | null = null;
  private nextRound: Promise<void> | null = null;

  constructor(
    kafka: Kafka,
    private readonly options: KafkaTableOptions<V>,
  ) {
    this.logger = new Logger(`table:${options.topic}`);
    const sessionTimeout = options.sessionTimeoutMs ?? 30000;
    this.consumer = kafka.consumer({
      groupId: `${options.groupPrefix}.${randomUUID()}`,
      maxWaitTimeInMs: 50,
      idleMaxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      sessionTimeout,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
    });
    this.admin = kafka.admin();
  }

  get size(): number {
    return this.rows.size;
  }

  get(key: string): V | undefined {
    return this.rows.get(key);
  }

  values(): IterableIterator<V> {
    return this.rows.values();
  }

  /** Looks a key up; on a miss, first catches up with the topic (a write may just have landed). */
  async getFresh(key: string, timeoutMs = 2000): Promise<V | undefined> {
    const hit = this.rows.get(key);
    if (hit !== undefined) return hit;
    await this.catchUp(timeoutMs);
    return this.rows.get(key);
  }

  async start(timeoutMs = 60000): Promise<void> {
    await this.admin.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const raw of batch.messages) this.apply(batch.partition, raw as RawMessage);
        const last = batch.messages[batch.messages.length - 1];
        if (last) this.positions.set(batch.partition, BigInt(last.offset) + 1n);
        this.wake();
      },
    });
    await this.catchUp(timeoutMs);
    this.logger.log(`loaded ${this.rows.size} rows`);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }

  /**
   * Resolves once every message present on the topic when called has been applied. Callers
   * arriving while a round is running share the next round, so a flood of misses costs one
   * offsets request at a time.
   */
  catchUp(timeoutMs = 2000): Promise<void> {
    if (!this.round) {
      this.round = this.runRound(timeoutMs).finally(() => (this.round = null));
      return this.round;
    }
    if (!this.nextRound) {
      const current = this.round;
      this.nextRound = current
        .catch(() => undefined)
        .then(() => {
          this.nextRound = null;
          return this.catchUp(timeoutMs);
        });
    }
    return this.nextRound;
  }

  private async runRound(timeoutMs: number): Promise<void> {
    const offsets = await fetchTopicOffsets(this.admin, this.options.topic, timeoutMs);
    const targets = offsets.map((o) => ({ partition: o.partition, high: BigInt(o.high) }));
    const deadline = Date.now() + timeoutMs;
    const caughtUp = () =>
      targets.every(({ partition, high }) => (this.positions.get(partition) ?? 0n) >= high);
    while (!caughtUp()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new TransientError(
          `${this.options.topic} cache did not catch up within ${timeoutMs} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 100));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private apply(partition: number, raw: RawMessage): void {
    const decoded = decodeMessage(this.options.topic, partition, raw);
    if (!decoded.ok) {
      // A snapshot we cannot read must not take the cache down; the log says which offset.
      this.logger.error(`skipping ${partition}@${raw.offset}: ${decoded.reason}`);
      return;
    }
    const key = decoded.message.key;
    if (key === null) return;
    const previous = this.rows.get(key);
    const value = decoded.message.event === null ? null : this.options.toValue(decoded.message);
    if (value === null) this.rows.delete(key);
    else this.rows.set(key, value);
    this.options.onChange?.(key, value, previous);
  }
}
