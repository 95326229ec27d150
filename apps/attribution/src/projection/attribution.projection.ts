import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AnyEvent, Topics } from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { ConsumedEvent, KafkaRuntime } from '@tracker/kafka';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { AttributionOutboxRelay } from '../outbox/outbox.relay';
import { ATTRIBUTION_DB } from '../shared/schema';
import { AttributionWriter } from './attribution.writer';

/** The projection's source topics and consumer group (the replay reads the same). */
export const ATTRIBUTION_TOPICS = [Topics.Clicks, Topics.Postbacks];
export const ATTRIBUTION_GROUP = 'attribution';

const outcomes =
  (register.getSingleMetric('tracker_attribution_outcomes_total') as Counter | undefined) ??
  new Counter({
    name: 'tracker_attribution_outcomes_total',
    help: 'Postback decisions made by attribution, by status',
    labelNames: ['status'],
  });

/**
 * The attribution projection: clicks and postbacks from one consumer (both keyed by click id),
 * each batch judged and written in one transaction together with its outbox rows.
 */
@Injectable()
export class AttributionProjection {
  private readonly writer: AttributionWriter;

  constructor(
    kafka: KafkaRuntime,
    integrations: IntegrationDirectory,
    private readonly relay: AttributionOutboxRelay,
    @InjectDataSource(ATTRIBUTION_DB) dataSource: DataSource,
  ) {
    this.writer = new AttributionWriter(dataSource, (id) => integrations.getFresh(id));
    kafka.createConsumer({
      name: 'attribution.projection',
      group: ATTRIBUTION_GROUP,
      topics: ATTRIBUTION_TOPICS,
      fromBeginning: true,
      subBatchSize: 500,
      // Partitions never share a click (both topics are keyed by click id) and the store takes
      // click locks in one order, so one transaction per partition may run at once.
      partitionsConsumedConcurrently: 3,
      // Fewer, larger fetches under load (each costs the broker and this process a round trip);
      // 25 ms is a small part of B2's one second from postback to final log row.
      fetch: { minBytes: 128 * 1024, maxWaitMs: 25 },
      handle: (messages) => this.handle(messages),
    });
  }

  /** Idempotent by event id: a redelivered batch changes nothing and enqueues nothing. */
  async handle(messages: ConsumedEvent[]): Promise<void> {
    const emitted = await this.writer.write(messages);
    this.count(emitted);
    if (emitted.length > 0) this.relay.kick();
  }

  private count(events: AnyEvent[]): void {
    for (const event of events) {
      if (event.type === 'PostbackProcessed') outcomes.inc({ status: event.payload.status });
    }
  }
}
