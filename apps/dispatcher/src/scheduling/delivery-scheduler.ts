import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  assertValidEvent,
  ConversionRecordedEvent,
  createEvent,
  deliveryIdOf,
  deterministicEventId,
  partitionKeyOf,
  Topics,
} from '@tracker/contracts';
import { ConsumedEvent, KafkaRuntime } from '@tracker/kafka';
import { lockModelShared } from '@tracker/replay';
import { DataSource } from 'typeorm';
import { DestinationDirectory } from '../destinations/destination.directory';
import { DispatcherOutboxRelay } from '../outbox/outbox.relay';
import { deliveriesScheduled } from '../sending/delivery-metrics';
import { columnArrays } from '../shared/column-arrays';
import { DISPATCHER_DB, Tables } from '../shared/schema';
import { matchingDestinations } from './delivery-matching';

export const DISPATCHER_GROUP = 'dispatcher';
/**
 * A fetch waits for about 64 KiB of conversions (some 60–100) or 50 ms: each batch costs a
 * transaction and an offset commit, so a steady stream of conversions is scheduled in fewer,
 * larger batches at the price of ≤ 50 ms of latency (B8: p99 ≤ 1 s).
 */
const FETCH_MIN_BYTES = 64 * 1024;
const FETCH_MAX_WAIT_MS = 50;

interface NewDelivery {
  id: string;
  account_id: string;
  destination_id: string;
  conversion_id: string;
  click_id: string;
  stage: string;
  created_at: string;
  conversion: ConversionRecordedEvent;
}

/**
 * Consumes `tracker.conversions.v1` and creates exactly one delivery per conversion × matching
 * destination (SPEC section 4): its id is derived from the pair, so a redelivered or replayed
 * conversion inserts nothing and publishes nothing. Each new delivery's DeliveryScheduled goes
 * into the outbox in the same transaction; the relay publishes it before the first attempt.
 */
@Injectable()
export class DeliveryScheduler {
  constructor(
    kafka: KafkaRuntime,
    private readonly destinations: DestinationDirectory,
    private readonly relay: DispatcherOutboxRelay,
    @InjectDataSource(DISPATCHER_DB) private readonly dataSource: DataSource,
  ) {
    kafka.createConsumer({
      name: 'dispatcher.scheduler',
      group: DISPATCHER_GROUP,
      topics: [Topics.Conversions],
      fromBeginning: true,
      subBatchSize: 1000,
      partitionsConsumedConcurrently: 3,
      fetch: { minBytes: FETCH_MIN_BYTES, maxWaitMs: FETCH_MAX_WAIT_MS },
      handle: (messages) => this.handle(messages),
    });
  }

  async handle(messages: ConsumedEvent[]): Promise<void> {
    // Every destination acknowledged before the batch's latest conversion occurred must be known.
    let latest = 0;
    for (const { event } of messages) {
      if (event?.type === 'ConversionRecorded') {
        latest = Math.max(latest, Date.parse(event.occurredAt));
      }
    }
    await this.destinations.currentAt(latest);
    const now = new Date().toISOString();
    const candidates: NewDelivery[] = [];
    const seen = new Set<string>();
    for (const { event } of messages) {
      if (event?.type !== 'ConversionRecorded') continue;
      for (const destination of matchingDestinations(
        event,
        this.destinations.ofAccount(event.accountId),
      )) {
        const id = deliveryIdOf(event.id, destination.id);
        // A conversion the broker delivered twice within one batch is one delivery.
        if (seen.has(id)) continue;
        seen.add(id);
        candidates.push({
          id,
          account_id: event.accountId,
          destination_id: destination.id,
          conversion_id: event.id,
          click_id: event.payload.clickId,
          stage: event.payload.stage,
          created_at: now,
          conversion: event,
        });
      }
    }
    if (candidates.length === 0) return;
    // Each candidate's DeliveryScheduled, written only where its delivery is new.
    const rows = candidates.map((delivery) => {
      const event = assertValidEvent(
        createEvent(
          'DeliveryScheduled',
          {
            deliveryId: delivery.id,
            destinationId: delivery.destination_id,
            conversionId: delivery.conversion_id,
            clickId: delivery.click_id,
            stage: delivery.stage,
            createdAt: delivery.created_at,
          },
          {
            id: deterministicEventId('DeliveryScheduled', delivery.id),
            accountId: delivery.account_id,
            integrationId: delivery.conversion.integrationId,
            correlationId: delivery.click_id,
            causationId: delivery.conversion_id,
            occurredAt: delivery.created_at,
          },
        ),
      );
      return {
        ...delivery,
        conversion: JSON.stringify(delivery.conversion),
        topic: Topics.Deliveries,
        message_key: partitionKeyOf(event),
        event: JSON.stringify(event),
      };
    });
    const created = await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'dispatcher');
      // One statement (the rows cross the wire once): the deliveries that are new, and their
      // DeliveryScheduled in the outbox, in the batch's order.
      const outboxed: unknown[] = await manager.query(
        `WITH x AS (
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[],
                                $6::text[], $7::timestamptz[], $8::text[], $9::text[],
                                $10::text[], $11::text[])
             WITH ORDINALITY
             AS x(id, account_id, destination_id, conversion_id, click_id, stage, created_at,
                  conversion, topic, message_key, event, ord)
         ), inserted AS (
           INSERT INTO ${Tables.deliveries}
             (id, account_id, destination_id, conversion_id, click_id, stage, status, created_at,
              next_attempt_at, conversion)
           SELECT id, account_id, destination_id, conversion_id, click_id, stage, 'pending',
                  created_at, created_at, conversion::json
             FROM x
           ON CONFLICT (id) DO NOTHING
           RETURNING id
         )
         INSERT INTO ${Tables.outbox} (topic, message_key, event, delivery_id)
         SELECT topic, message_key, event::json, id
           FROM x WHERE x.id IN (SELECT id FROM inserted) ORDER BY ord
         RETURNING seq`,
        columnArrays(rows, [
          'id',
          'account_id',
          'destination_id',
          'conversion_id',
          'click_id',
          'stage',
          'created_at',
          'conversion',
          'topic',
          'message_key',
          'event',
        ]),
      );
      return outboxed.length;
    });
    if (created > 0) {
      deliveriesScheduled.inc(created);
      this.relay.kick();
    }
  }
}
