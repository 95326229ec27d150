import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EventProducer, OutboxRelay } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { DISPATCHER_DB, Tables } from '../shared/schema';

/** The same in every replica: one relay at a time keeps per-key order. */
export const DISPATCHER_RELAY_LOCK = 7_320_514_004;

/**
 * The dispatcher's outbox of DeliveryAttempted events, relayed by the library's OutboxRelay in
 * commit order (DeliveryScheduled is published by the scheduler before its delivery exists).
 * Published rows are deleted: the topic holds the events.
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
      published: 'delete',
      logContext: DispatcherOutboxRelay.name,
    });
  }
}
