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
import {
  DUE_DELIVERY_COLUMNS,
  DueDelivery,
  LEASE_MS,
  ScheduledHandOff,
} from '../sending/scheduled-hand-off';
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

/**
 * Publishes the dispatcher's outbox (DeliveryScheduled, DeliveryAttempted) in commit order, and
 * marks a delivery `scheduled` once its DeliveryScheduled is acknowledged: only then may its
 * first attempt go out (SPEC section 3), so the deliveries log can always be rebuilt. The same
 * statement leases as many of them as the sender can take and hands them over, so a fresh
 * delivery needs no claim of its own. Published rows are deleted: the topic holds the events,
 * and a row that is never updated costs no second copy of its event.
 */
@Injectable()
export class DispatcherOutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DispatcherOutboxRelay.name);
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private handOff: ScheduledHandOff | null = null;

  constructor(
    private readonly producer: EventProducer,
    @InjectDataSource(DISPATCHER_DB) private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.drain();
  }

  /** Who gets the deliveries that became sendable (their DeliveryScheduled is on the topic). */
  handOffTo(handOff: ScheduledHandOff): void {
    this.handOff = handOff;
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
    const handOff = this.handOff;
    let reserved = 0;
    let taken: DueDelivery[] = [];
    let untaken = 0;
    let published = 0;
    try {
      published = await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [
          DISPATCHER_RELAY_LOCK,
        ]);
        if (!locked) return 0;
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
        await manager.query(`DELETE FROM ${Tables.outbox} WHERE seq = ANY($1::bigint[])`, [
          rows.map((row) => row.seq),
        ]);
        const ids = rows
          .filter((row) => row.type === 'DeliveryScheduled' && row.delivery_id !== null)
          .map((row) => row.delivery_id);
        if (ids.length > 0) {
          reserved = handOff?.reserve(ids.length) ?? 0;
          // The first `reserved` fresh ones (never sent, nobody's lease) are leased right here.
          taken = await manager.query(
            `WITH marked AS (
               UPDATE ${Tables.deliveries} d
                  SET scheduled = true,
                      lease_until = CASE WHEN x.take
                        THEN now() + make_interval(secs => $3::double precision / 1000)
                        ELSE d.lease_until END
                 FROM (SELECT u.id, u.ord <= $2 AND NOT e.scheduled AND e.attempts = 0
                                AND e.status = 'pending' AND e.lease_until IS NULL AS take
                         FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ord)
                         JOIN ${Tables.deliveries} e ON e.id = u.id) x
                WHERE d.id = x.id
               RETURNING x.take, ${DUE_DELIVERY_COLUMNS})
             SELECT ${DUE_DELIVERY_COLUMNS} FROM marked d WHERE d.take`,
            [ids, reserved, LEASE_MS],
          );
          untaken = ids.length - taken.length;
        }
        return rows.length;
      });
    } catch (error) {
      taken = [];
      untaken = 0;
      throw error;
    } finally {
      // Only after the commit: a lease that was rolled back must not be sent on.
      handOff?.take(taken, reserved, untaken);
    }
    return published;
  }
}
