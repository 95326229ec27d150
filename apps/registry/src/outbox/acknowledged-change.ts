import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { AnyEvent } from '@tracker/contracts';
import { encodeEvent, EventProducer } from '@tracker/kafka';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxSeq } from './outbox';
import { OutboxRelay, RELAY_LOCK_KEY } from './outbox-relay';

interface OutboxRow {
  seq: string;
  topic: string;
  key: string;
  event: AnyEvent | null;
}

type KafkaMessages = Parameters<EventProducer['send']>[1];

/** Why a change that must take effect was refused; the registry is unchanged. */
export class SnapshotNotAcknowledgedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SnapshotNotAcknowledgedError';
  }
}

/** What a change hands back from inside its transaction: its answer and its outbox rows. */
export interface OutboxedResult<T> {
  result: T;
  seqs: OutboxSeq[];
}

/**
 * Changes that must take effect (SPEC section 9: a revocation, disable or delete answers
 * success only once the change is committed and its snapshot acknowledged by the broker, else
 * `503` with the registry unchanged).
 *
 * Inside the change's transaction, after its outbox rows are written, it takes the relay lock
 * (so no relay publishes meanwhile), publishes every still pending row of the same keys up to
 * its own, in sequence order (so an older snapshot never lands after the new one on the
 * compacted topic), and marks them published (the relay does not resend them). Only then does
 * the transaction commit. A publish that fails or outlasts `ackTimeoutMs` rolls the change back;
 * a commit that fails after the publish succeeded leaves a newer snapshot on the topic than the
 * database holds. Either way `heal` then writes the key's current snapshot to the outbox, the
 * relay publishes it once the broker answers and the topic converges, and the caller gets a
 * `ServiceUnavailableException` (503) saying why.
 */
@Injectable()
export class AcknowledgedChange {
  private readonly logger = new Logger(AcknowledgedChange.name);
  /** Budget for the relay lock plus the broker's acknowledgement (acks=all), in ms. */
  ackTimeoutMs = 5000;

  constructor(
    private readonly producer: EventProducer,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Runs `work` in a transaction of `dataSource` and commits it only once its outbox rows are
   * acknowledged by Kafka.
   * @param heal writes the key's current snapshot to the outbox (its own transaction).
   * @throws whatever `work` throws (nothing published); ServiceUnavailableException (503) when
   *   the broker did not acknowledge in time or the commit failed.
   */
  async commit<T>(
    dataSource: DataSource,
    work: (manager: EntityManager) => Promise<OutboxedResult<T>>,
    heal: () => Promise<unknown>,
  ): Promise<T> {
    let publishing = false;
    try {
      return await dataSource.transaction(async (manager) => {
        const { result, seqs } = await work(manager);
        publishing = true;
        await this.publishInTransaction(manager, seqs);
        return result;
      });
    } catch (error) {
      if (!publishing) throw error;
      const reason =
        error instanceof SnapshotNotAcknowledgedError
          ? error.message
          : `the change could not be committed (${(error as Error).message})`;
      await heal().catch((healError: Error) =>
        this.logger.error(`could not queue the current snapshot again: ${healError.message}`),
      );
      void this.relay.kick();
      throw new ServiceUnavailableException(`${reason}; nothing was changed, try again`);
    }
  }

  private async publishInTransaction(manager: EntityManager, seqs: OutboxSeq[]): Promise<void> {
    if (seqs.length === 0) return;
    const deadline = Date.now() + this.ackTimeoutMs;
    await this.takeRelayLock(manager, deadline);
    const rows: OutboxRow[] = await manager.query(
      `SELECT seq, topic, message_key AS key, event FROM registry.outbox
       WHERE published_at IS NULL
         AND seq <= (SELECT max(seq) FROM registry.outbox WHERE seq = ANY($1::bigint[]))
         AND (topic, message_key) IN
           (SELECT topic, message_key FROM registry.outbox WHERE seq = ANY($1::bigint[]))
       ORDER BY seq`,
      [seqs],
    );
    const byTopic = new Map<string, KafkaMessages>();
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? [];
      messages.push(row.event ? encodeEvent(row.event, row.key) : { key: row.key, value: null });
      byTopic.set(row.topic, messages);
    }
    await withDeadline(
      Promise.all([...byTopic].map(([topic, messages]) => this.producer.send(topic, messages))),
      deadline,
      `Kafka did not acknowledge the change within ${this.ackTimeoutMs} ms`,
    );
    await manager.query(
      'UPDATE registry.outbox SET published_at = now() WHERE seq = ANY($1::bigint[])',
      [rows.map((row) => String(row.seq))],
    );
  }

  /**
   * The relay holds this lock while it publishes; while the broker is down it holds it for the
   * whole outage, so waiting is bounded by the deadline (lock_timeout) and then refused.
   */
  private async takeRelayLock(manager: EntityManager, deadline: number): Promise<void> {
    const [{ previous }] = await manager.query(
      `SELECT current_setting('lock_timeout') AS previous`,
    );
    const waitMs = Math.max(1, deadline - Date.now());
    await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [`${waitMs}ms`]);
    try {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK_KEY]);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') {
        throw new SnapshotNotAcknowledgedError(
          'the snapshot publisher is busy or Kafka is unreachable',
        );
      }
      throw error;
    }
    await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [previous]);
  }
}

/** Rejects with SnapshotNotAcknowledgedError once `deadline` (epoch ms) passes or `work` fails. */
async function withDeadline<T>(work: Promise<T>, deadline: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SnapshotNotAcknowledgedError(message)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([
      work.catch((error: Error) => {
        throw new SnapshotNotAcknowledgedError(`Kafka refused the change: ${error.message}`);
      }),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
