import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventProducer, OutboxRelay } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { REGISTRY_DB } from '../registry.database';

/** Serialises relays of every registry replica, so snapshots of one key reach Kafka in order. */
export const RELAY_LOCK_KEY = 7_264_001;

/**
 * The registry's outbox (snapshots and tombstones of the compacted topics) relayed by the
 * library's OutboxRelay: at start-up (heals a crash between commit and publish), after every
 * change (`publishAndWait`), and on a timer after failures. AcknowledgedChange takes the same
 * lock to publish a change's snapshots before it commits.
 */
@Injectable()
export class RegistryOutboxRelay extends OutboxRelay {
  constructor(@InjectDataSource(REGISTRY_DB) dataSource: DataSource, producer: EventProducer) {
    super(producer, dataSource, {
      table: 'registry.outbox',
      lockKey: RELAY_LOCK_KEY,
      deadLetterStep: 'registry.outbox',
      batchRows: 500,
      pollMs: 1000,
      pruneIntervalMs: 10 * 60 * 1000,
      // A round waits for the lock: a change's publishAndWait is answered by the round it
      // kicked, not by the next poll, while another replica's round or a change holds it.
      lockWait: 'wait',
      // Pending rows are published by the next start (or another replica).
      drainOnShutdown: false,
      logContext: 'OutboxRelay',
    });
  }
}
