import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventProducer, OutboxRelay } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { ATTRIBUTION_DB, Tables } from '../shared/schema';

/** Any constant works; it only has to be the same in every replica (and the replay). */
export const RELAY_LOCK = 7_320_514_001;

/**
 * Attribution's outbox (outcome events) relayed by the library's OutboxRelay: published in
 * commit order after their transaction committed, and on start-up whatever a crashed process
 * left. A crash between the broker's ack and the mark re-sends rows whose ids subscribers
 * already know (deterministic ids), never loses one.
 */
@Injectable()
export class AttributionOutboxRelay extends OutboxRelay {
  constructor(producer: EventProducer, @InjectDataSource(ATTRIBUTION_DB) dataSource: DataSource) {
    super(producer, dataSource, {
      table: Tables.outbox,
      lockKey: RELAY_LOCK,
      deadLetterStep: 'attribution.outbox',
      // At 500 rows a round the relay published about 1,000–1,500 rows/s under B2's load while
      // 4,000/s were enqueued; at 2,000 (and with attribution judging partitions concurrently)
      // B2's p99 went from ~17 s to ~5 s.
      batchRows: 2000,
      pollMs: 1000,
      pruneIntervalMs: 300_000,
      // Replicas skip a round another holds: the holder publishes what is pending.
      lockWait: 'skip',
      drainOnShutdown: true,
      // The writer never enqueues an event id twice (a redelivered batch finds its postbacks
      // judged), so a published row can go at once instead of being copied into a marked one.
      published: 'delete',
      logContext: 'OutboxRelay',
    });
  }
}
