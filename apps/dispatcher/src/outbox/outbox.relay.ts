import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventProducer, OutboxRelay, PublishedOutboxRow } from '@tracker/kafka';
import { DataSource, EntityManager } from 'typeorm';
import { DISPATCHER_DB, Tables } from '../shared/schema';

/** The same in every replica: one relay at a time keeps per-key order. */
export const DISPATCHER_RELAY_LOCK = 7_320_514_004;

/**
 * The dispatcher's outbox (DeliveryScheduled, DeliveryAttempted) relayed by the library's
 * OutboxRelay in commit order. In the same transaction as a round's mark it flags a delivery
 * `scheduled` once its DeliveryScheduled is acknowledged: only then may its first attempt go
 * out (SPEC section 3), so the deliveries log can always be rebuilt. `onPublished` listeners
 * (the delivery worker) hear of it after the commit.
 */
@Injectable()
export class DispatcherOutboxRelay extends OutboxRelay {
  constructor(producer: EventProducer, @InjectDataSource(DISPATCHER_DB) dataSource: DataSource) {
    super(producer, dataSource, {
      table: Tables.outbox,
      lockKey: DISPATCHER_RELAY_LOCK,
      deadLetterStep: 'dispatcher.outbox',
      batchRows: 2000,
      pollMs: 500,
      pruneIntervalMs: 300_000,
      lockWait: 'skip',
      drainOnShutdown: true,
      logContext: DispatcherOutboxRelay.name,
      afterPublish: markScheduled,
    });
  }
}

/** Deliveries whose DeliveryScheduled a round published become sendable. */
async function markScheduled(manager: EntityManager, rows: PublishedOutboxRow[]): Promise<void> {
  const seqs = rows.filter((row) => row.type === 'DeliveryScheduled').map((row) => row.seq);
  if (seqs.length === 0) return;
  await manager.query(
    `UPDATE ${Tables.deliveries} SET scheduled = true
      WHERE id IN (SELECT delivery_id FROM ${Tables.outbox}
                    WHERE seq = ANY($1::bigint[]) AND delivery_id IS NOT NULL)`,
    [seqs],
  );
}
