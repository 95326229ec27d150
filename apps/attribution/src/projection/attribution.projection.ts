import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  AnyEvent,
  assertValidEvent,
  ClickRegisteredEvent,
  IntegrationChangedPayload,
  PostbackReceivedEvent,
  Topics,
} from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { ConsumedEvent, KafkaRuntime } from '@tracker/kafka';
import { Counter, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { readPostback, Reading } from '../judgement/postback-reading';
import { OutboxRelay } from '../outbox/outbox.relay';
import { ATTRIBUTION_DB } from '../shared/schema';
import { AttributionStore } from './attribution.store';
import { BatchJudgement } from './batch-judgement';

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
  constructor(
    kafka: KafkaRuntime,
    private readonly integrations: IntegrationDirectory,
    private readonly relay: OutboxRelay,
    @InjectDataSource(ATTRIBUTION_DB) private readonly dataSource: DataSource,
  ) {
    kafka.createConsumer({
      name: 'attribution.projection',
      group: 'attribution',
      topics: [Topics.Clicks, Topics.Postbacks],
      fromBeginning: true,
      subBatchSize: 500,
      handle: (messages) => this.handle(messages),
    });
  }

  /** Idempotent by event id: a redelivered batch changes nothing and enqueues nothing. */
  async handle(messages: ConsumedEvent[]): Promise<void> {
    const events: Array<ClickRegisteredEvent | PostbackReceivedEvent> = [];
    for (const { event } of messages) {
      if (event?.type === 'ClickRegistered' || event?.type === 'PostbackReceived') {
        events.push(event);
      }
    }
    if (events.length === 0) return;
    const readings = await this.readPostbacks(events);
    const emitted = await this.dataSource.transaction(async (manager) => {
      const judgement = new BatchJudgement(new AttributionStore(manager), readings, new Date());
      const result = await judgement.run(events);
      // A contract bug must fail this batch (and dead-letter it), not wedge the relay later.
      for (const event of result.outbox) assertValidEvent(event);
      await judgement.write(result);
      return result.outbox;
    });
    this.count(emitted);
    if (emitted.length > 0) this.relay.kick();
  }

  /** Directory look-ups happen before the transaction: a catch-up must not hold locks. */
  private async readPostbacks(
    events: Array<ClickRegisteredEvent | PostbackReceivedEvent>,
  ): Promise<Map<string, Reading>> {
    const postbacks = events.filter(
      (e): e is PostbackReceivedEvent => e.type === 'PostbackReceived',
    );
    const ids = [...new Set(postbacks.map((e) => e.integrationId))];
    const configs = new Map<string, IntegrationChangedPayload | undefined>(
      await Promise.all(ids.map(async (id) => [id, await this.integrations.getFresh(id)] as const)),
    );
    const readings = new Map<string, Reading>();
    for (const event of postbacks) {
      readings.set(event.id, readPostback(event, configs.get(event.integrationId)));
    }
    return readings;
  }

  private count(events: AnyEvent[]): void {
    for (const event of events) {
      if (event.type === 'PostbackProcessed') outcomes.inc({ status: event.payload.status });
    }
  }
}
