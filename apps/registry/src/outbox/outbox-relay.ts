import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AnyEvent } from '@tracker/contracts';
import {
  admitMessages,
  deadLetterLogFields,
  DeadLetter,
  encodeEvent,
  EventProducer,
  sendToDeadLetter,
} from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { REGISTRY_DB } from '../registry.database';
import { OutboxSeq } from './outbox';

interface PendingRow {
  seq: string;
  topic: string;
  key: string;
  event: AnyEvent | null;
}

type KafkaMessages = Parameters<EventProducer['send']>[1];

/** Serialises relays of every registry replica, so snapshots of one key reach Kafka in order. */
export const RELAY_LOCK_KEY = 7_264_001;
const BATCH_ROWS = 500;
const RETRY_INTERVAL_MS = 1000;
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/**
 * Publishes outbox rows in sequence order and marks them published. It runs at start-up (heals
 * a crash between commit and publish), after every change, and on a timer after failures.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly waiters = new Map<string, Set<() => void>>();
  private running: Promise<void> | null = null;
  private runAgain = false;
  private paused = false;
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  /** How long a request waits for its snapshot's acknowledgement before answering anyway. */
  ackTimeoutMs = 10_000;

  constructor(
    @InjectDataSource(REGISTRY_DB) private readonly dataSource: DataSource,
    private readonly producer: EventProducer,
  ) {}

  onApplicationBootstrap(): void {
    void this.kick();
    this.timer = setInterval(() => void this.kick(), RETRY_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.paused = true;
    await this.running;
  }

  /** Stops publishing, as a crash between commit and publish would (ops and tests). */
  async pause(): Promise<void> {
    this.paused = true;
    await this.running;
  }

  /**
   * Triggers a relay run and resolves true once the row is acknowledged by Kafka, or false on
   * timeout (the change is committed either way; the relay keeps retrying).
   */
  async publishAndWait(seqs: OutboxSeq[]): Promise<boolean> {
    if (this.paused || seqs.length === 0) return seqs.length === 0;
    const published = Promise.all(
      seqs.map(
        (seq) =>
          new Promise<void>((resolve) => {
            const set = this.waiters.get(seq) ?? new Set();
            set.add(resolve);
            this.waiters.set(seq, set);
          }),
      ),
    );
    void this.kick();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.ackTimeoutMs);
    });
    try {
      return await Promise.race([published.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One run at a time; a kick during a run schedules another so no committed row waits. */
  kick(): Promise<void> {
    if (this.paused) return Promise.resolve();
    if (this.running) {
      this.runAgain = true;
      return this.running;
    }
    this.running = this.drain()
      .catch((error: Error) => this.logger.warn(`outbox relay failed, retrying: ${error.message}`))
      .finally(() => {
        this.running = null;
        if (this.runAgain) {
          this.runAgain = false;
          void this.kick();
        }
      });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (!this.paused && (await this.publishBatch()) === BATCH_ROWS) {
      // a full batch: more rows may be pending
    }
    await this.settleForeignWaiters();
    await this.prune();
  }

  /** Publishes the oldest pending rows under the relay lock; returns how many it published. */
  private async publishBatch(): Promise<number> {
    const published = await this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK_KEY]);
      const rows: PendingRow[] = await manager.query(
        `SELECT seq, topic, message_key AS key, event FROM registry.outbox
         WHERE published_at IS NULL ORDER BY seq LIMIT $1`,
        [BATCH_ROWS],
      );
      if (rows.length === 0) return [];
      const byTopic = new Map<string, KafkaMessages>();
      for (const row of rows) {
        const messages = byTopic.get(row.topic) ?? [];
        messages.push(row.event ? encodeEvent(row.event, row.key) : { key: row.key, value: null });
        byTopic.set(row.topic, messages);
      }
      // Keys never span topics, so topics go in parallel; each keeps sequence order. A snapshot
      // above the broker's limit is dead-lettered rather than retried forever.
      const letters: DeadLetter[] = [];
      await Promise.all(
        [...byTopic].map(([topic, messages]) => {
          const admitted = admitMessages(topic, messages, 'registry.outbox');
          letters.push(...admitted.letters);
          return this.producer.send(topic, admitted.admitted);
        }),
      );
      await sendToDeadLetter(this.producer, letters);
      for (const letter of letters) {
        this.logger.error({ msg: 'outbox row dead-lettered', ...deadLetterLogFields(letter) });
      }
      const seqs = rows.map((row) => String(row.seq));
      await manager.query(
        'UPDATE registry.outbox SET published_at = now() WHERE seq = ANY($1::bigint[])',
        [seqs],
      );
      return seqs;
    });
    for (const seq of published) this.settle(seq);
    return published.length;
  }

  /** Rows another replica's relay published: their waiters here must not time out. */
  private async settleForeignWaiters(): Promise<void> {
    if (this.waiters.size === 0) return;
    const rows: Array<{ seq: string }> = await this.dataSource.query(
      `SELECT seq FROM registry.outbox WHERE seq = ANY($1::bigint[]) AND published_at IS NOT NULL`,
      [[...this.waiters.keys()]],
    );
    for (const row of rows) this.settle(String(row.seq));
  }

  private settle(seq: string): void {
    for (const resolve of this.waiters.get(seq) ?? []) resolve();
    this.waiters.delete(seq);
  }

  /** Published rows are kept a day for inspection, then dropped. */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = Date.now();
    await this.dataSource.query(
      `DELETE FROM registry.outbox WHERE published_at < now() - interval '1 day'`,
    );
  }
}
