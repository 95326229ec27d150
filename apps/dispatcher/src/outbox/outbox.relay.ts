import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventProducer, OutboxRelay, PublishedOutboxRow } from '@tracker/kafka';
import { DataSource, EntityManager } from 'typeorm';
import {
  DUE_DELIVERY_COLUMNS,
  DueDelivery,
  LEASE_MS,
  ScheduledHandOff,
} from '../sending/scheduled-hand-off';
import { DISPATCHER_DB, Tables } from '../shared/schema';

/** The same in every replica: one relay at a time keeps per-key order. */
export const DISPATCHER_RELAY_LOCK = 7_320_514_004;

/** A round's hand-over to the sender, settled once its transaction ended. */
interface RoundHandOff {
  reserved: number;
  taken: DueDelivery[];
  untaken: number;
}

/**
 * The dispatcher's outbox (DeliveryScheduled, DeliveryAttempted) relayed by the library's
 * OutboxRelay in commit order. In the same transaction it flags a delivery `scheduled` once its
 * DeliveryScheduled is acknowledged: only then may its first attempt go out (SPEC section 3), so
 * the deliveries log can always be rebuilt. The same statement leases as many fresh ones as the
 * sender has room for, handed over after the commit, so a fresh delivery needs no claim of its
 * own. Published rows are deleted: the topic holds the events.
 */
@Injectable()
export class DispatcherOutboxRelay extends OutboxRelay {
  private handOff: ScheduledHandOff | null = null;
  private round: RoundHandOff | null = null;

  constructor(producer: EventProducer, @InjectDataSource(DISPATCHER_DB) dataSource: DataSource) {
    // The hooks run only after construction, once `self.relay` is set.
    const self: { relay?: DispatcherOutboxRelay } = {};
    super(producer, dataSource, {
      table: Tables.outbox,
      lockKey: DISPATCHER_RELAY_LOCK,
      deadLetterStep: 'dispatcher.outbox',
      batchRows: 2000,
      pollMs: 500,
      pruneIntervalMs: 300_000,
      lockWait: 'skip',
      drainOnShutdown: true,
      published: 'delete',
      logContext: DispatcherOutboxRelay.name,
      afterPublish: (manager, rows) => self.relay!.markScheduled(manager, rows),
      afterRound: (committed) => self.relay!.settleRound(committed),
    });
    self.relay = this;
  }

  /** Who gets the deliveries that became sendable (their DeliveryScheduled is on the topic). */
  handOffTo(handOff: ScheduledHandOff): void {
    this.handOff = handOff;
  }

  /** Deliveries whose DeliveryScheduled this round published become sendable; fresh ones leased. */
  private async markScheduled(manager: EntityManager, rows: PublishedOutboxRow[]): Promise<void> {
    const seqs = rows.filter((row) => row.type === 'DeliveryScheduled').map((row) => row.seq);
    if (seqs.length === 0) return;
    const found: Array<{ delivery_id: string }> = await manager.query(
      `SELECT delivery_id FROM ${Tables.outbox}
        WHERE seq = ANY($1::bigint[]) AND delivery_id IS NOT NULL ORDER BY seq`,
      [seqs],
    );
    const ids = found.map((row) => row.delivery_id);
    if (ids.length === 0) return;
    const reserved = this.handOff?.reserve(ids.length) ?? 0;
    this.round = { reserved, taken: [], untaken: ids.length };
    // The first `reserved` fresh ones (never sent, nobody's lease) are leased right here.
    const taken: DueDelivery[] = await manager.query(
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
    this.round = { reserved, taken, untaken: ids.length - taken.length };
  }

  /** Only after the commit: a lease that was rolled back must not be sent on. */
  private settleRound(committed: boolean): void {
    const round = this.round;
    this.round = null;
    if (!round) return;
    this.handOff?.take(committed ? round.taken : [], round.reserved, committed ? round.untaken : 0);
  }
}
