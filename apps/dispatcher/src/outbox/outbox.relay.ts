import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  admitMessages,
  deadLetterLogFields,
  DeadLetter,
  encodeSerializedEvent,
  EventProducer,
  sendToDeadLetter,
} from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { DISPATCHER_DB, Tables } from '../shared/schema';

interface OutboxRow {
  seq: string;
  topic: string;
  message_key: string;
  json: string;
  type: string;
  version: string;
  delivery_id: string | null;
}

/** The same in every replica: one relay at a time keeps per-key order. */
export const DISPATCHER_RELAY_LOCK = 7_320_514_004;
const BATCH = 2000;
const POLL_MS = 500;
const PRUNE_EVERY_POLLS = 600;

/**
 * Publishes the dispatcher's outbox (DeliveryScheduled, DeliveryAttempted) in commit order, and
 * marks a delivery `scheduled` once its DeliveryScheduled is acknowledged: only then may its
 * first attempt go out (SPEC section 3), so the deliveries log can always be rebuilt.
 */
@Injectable()
export class DispatcherOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DispatcherOutboxRelay.name);
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private polls = 0;
  private readonly scheduledListeners: Array<() => void> = [];

  constructor(
    private readonly producer: EventProducer,
    @InjectDataSource(DISPATCHER_DB) private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.onPoll(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.drain();
  }

  /** Called after deliveries became sendable (their DeliveryScheduled is on the topic). */
  onScheduled(listener: () => void): void {
    this.scheduledListeners.push(listener);
  }

  kick(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private onPoll(): void {
    this.kick();
    if (++this.polls % PRUNE_EVERY_POLLS === 0) {
      this.dataSource
        .query(`DELETE FROM ${Tables.outbox} WHERE published_at < now() - interval '1 day'`)
        .catch((error: Error) => this.logger.warn(`outbox prune failed: ${error.message}`));
    }
  }

  private async drain(): Promise<void> {
    try {
      let published: number;
      do {
        published = await this.publishBatch();
      } while (published === BATCH);
    } catch (error) {
      // The poll retries; rows stay pending, so nothing is lost.
      this.logger.warn(`outbox relay: ${(error as Error).message}`);
    }
  }

  private async publishBatch(): Promise<number> {
    const scheduled = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [
        DISPATCHER_RELAY_LOCK,
      ]);
      if (!locked) return -1;
      const rows: OutboxRow[] = await manager.query(
        `SELECT seq, topic, message_key, event::text AS json, event->>'type' AS type,
                event->>'version' AS version, delivery_id
           FROM ${Tables.outbox}
          WHERE published_at IS NULL ORDER BY seq LIMIT ${BATCH}`,
      );
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, Array<ReturnType<typeof encodeSerializedEvent>>>();
      for (const row of rows) {
        const list = byTopic.get(row.topic) ?? [];
        list.push(encodeSerializedEvent(row.json, row, row.message_key));
        byTopic.set(row.topic, list);
      }
      const letters: DeadLetter[] = [];
      await Promise.all(
        [...byTopic].map(([topic, messages]) => {
          const admitted = admitMessages(topic, messages, 'dispatcher.outbox');
          letters.push(...admitted.letters);
          return this.producer.send(topic, admitted.admitted);
        }),
      );
      await sendToDeadLetter(this.producer, letters);
      for (const letter of letters) {
        this.logger.error({ msg: 'outbox row dead-lettered', ...deadLetterLogFields(letter) });
      }
      await manager.query(
        `UPDATE ${Tables.outbox} SET published_at = now() WHERE seq = ANY($1::bigint[])`,
        [rows.map((row) => row.seq)],
      );
      const ids = rows
        .filter((row) => row.type === 'DeliveryScheduled' && row.delivery_id !== null)
        .map((row) => row.delivery_id);
      if (ids.length > 0) {
        await manager.query(
          `UPDATE ${Tables.deliveries} SET scheduled = true WHERE id = ANY($1::uuid[])`,
          [ids],
        );
      }
      return rows.length;
    });
    if (scheduled > 0) for (const listener of this.scheduledListeners) listener();
    return scheduled < 0 ? 0 : scheduled;
  }
}
