import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { OutboxLockTimeoutError, OutboxNotAcknowledgedError } from '@tracker/kafka';
import { DataSource, EntityManager } from 'typeorm';
import { OutboxSeq } from './outbox';
import { RegistryOutboxRelay } from './outbox-relay';

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

  constructor(private readonly relay: RegistryOutboxRelay) {}

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
      this.relay.kick();
      throw new ServiceUnavailableException(`${reason}; nothing was changed, try again`);
    }
  }

  /**
   * Under the relay lock (so no relay round publishes meanwhile), publishes the pending rows of
   * the change's keys up to its own and marks them, all within `ackTimeoutMs`.
   */
  private async publishInTransaction(manager: EntityManager, seqs: OutboxSeq[]): Promise<void> {
    if (seqs.length === 0) return;
    const deadline = Date.now() + this.ackTimeoutMs;
    try {
      // While the broker is down a relay round holds the lock for the whole outage, so the
      // wait is bounded by the same deadline and then refused.
      await this.relay.lockWithin(manager, deadline - Date.now());
      await this.relay.publishKeysInTransaction(manager, seqs, deadline);
    } catch (error) {
      if (error instanceof OutboxLockTimeoutError) {
        throw new SnapshotNotAcknowledgedError(
          'the snapshot publisher is busy or Kafka is unreachable',
        );
      }
      if (error instanceof OutboxNotAcknowledgedError) {
        throw new SnapshotNotAcknowledgedError(
          error.timedOut
            ? `Kafka did not acknowledge the change within ${this.ackTimeoutMs} ms`
            : `Kafka refused the change: ${error.refusal?.message ?? error.message}`,
        );
      }
      throw error;
    }
  }
}
