import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ConversionRecordedEvent,
  createEvent,
  deliveryIdOf,
  DeliveryScheduledEvent,
  deterministicEventId,
  partitionKeyOf,
  Topics,
} from '@tracker/contracts';
import { storableJsonText } from '@tracker/database';
import { ConsumedEvent, EventProducer, KafkaRuntime } from '@tracker/kafka';
import { lockModelShared } from '@tracker/replay';
import { DataSource } from 'typeorm';
import { DestinationDirectory } from '../destinations/destination.directory';
import { deliveriesScheduled } from '../sending/delivery-metrics';
import { DeliveryWorker } from '../sending/delivery-worker';
import { DueDelivery, LEASE_MS } from '../sending/scheduled-hand-off';
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
  /** The conversion as stored (and as a claim would read it back): see storedConversion. */
  stored: string;
}

/**
 * The conversion as the deliveries table keeps it (NUL and lone surrogates as U+FFFD, SPEC
 * section 9), and the same value in memory: a first attempt from memory renders exactly what a
 * retry or a claim after a crash renders from the row.
 */
function storedConversion(event: ConversionRecordedEvent): {
  conversion: ConversionRecordedEvent;
  stored: string;
} {
  const text = JSON.stringify(event);
  const stored = storableJsonText(text);
  return {
    conversion: stored === text ? event : (JSON.parse(stored) as ConversionRecordedEvent),
    stored,
  };
}

/** Its DeliveryScheduled: the same event id however often it is published. */
function scheduledEvent(delivery: NewDelivery): DeliveryScheduledEvent {
  return createEvent(
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
  );
}

/** A delivery leased at its creation, as the sender needs it: nothing read back. */
function dueDelivery(delivery: NewDelivery): DueDelivery {
  return {
    id: delivery.id,
    account_id: delivery.account_id,
    destination_id: delivery.destination_id,
    conversion_id: delivery.conversion_id,
    click_id: delivery.click_id,
    attempts: 0,
    conversion: delivery.conversion,
    rendered: null,
    window_started_at: null,
  };
}

/**
 * Consumes `tracker.conversions.v1` and creates exactly one delivery per conversion × matching
 * destination (SPEC section 4): its id is derived from the pair, so a redelivered or replayed
 * conversion publishes and sends nothing. Per batch: the deliveries already known are left
 * out, the new ones' DeliveryScheduled is published (acks=all), then each is written once,
 * sendable, and as many as the sender has room for are leased to it and handed over from
 * memory, sent while their rows are written (an attempt is recorded once its row is committed;
 * a crash before that sends it again, with the same key, when the batch comes again). A
 * delivery thus costs one row write and no outbox row, and its DeliveryScheduled is always on
 * the topic before its first attempt (SPEC section 3).
 */
@Injectable()
export class DeliveryScheduler {
  constructor(
    kafka: KafkaRuntime,
    private readonly destinations: DestinationDirectory,
    private readonly producer: EventProducer,
    private readonly sender: DeliveryWorker,
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
      // The scheduler skips deliveries it already made: a redelivered batch costs one SELECT.
      commitBehind: true,
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
      let stored: ReturnType<typeof storedConversion> | undefined;
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
          ...(stored ??= storedConversion(event)),
        });
      }
    }
    if (candidates.length === 0) return;
    // A delivery that exists with its work state (a redelivered or replayed conversion) is
    // published and sent no more. One the replay rebuilt from the topic alone (its
    // DeliveryScheduled went out, its row was not written yet) is left unsendable by the
    // replay and still needs its conversion: it is written below like a new one.
    const known = await this.dataSource.query<Array<{ id: string }>>(
      `SELECT id FROM ${Tables.deliveries}
        WHERE id = ANY($1::uuid[])
          AND (conversion IS NOT NULL OR rendered IS NOT NULL OR attempts > 0)`,
      [candidates.map((delivery) => delivery.id)],
    );
    const skip = new Set(known.map((row) => row.id));
    const fresh = candidates.filter((delivery) => !skip.has(delivery.id));
    if (fresh.length === 0) return;
    // DeliveryScheduled on the topic before the row exists: nothing can send a delivery whose
    // DeliveryScheduled is not acknowledged (SPEC section 3). A crash in between publishes it
    // again for the redelivered conversion (the same event id; the log rebuild is idempotent).
    await this.producer.publishMany(
      Topics.Deliveries,
      fresh.map((delivery) => {
        const event = scheduledEvent(delivery);
        return { event, key: partitionKeyOf(event) };
      }),
    );
    const room = this.sender.reserve(fresh.length);
    // One statement: each delivery written once, in its final state; the first `room` leased
    // to this process's sender, which sends them from memory meanwhile (an attempt is recorded
    // once its row is committed).
    const written = this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'dispatcher');
      return manager.query<Array<{ id: string; leased: boolean }>>(
        `INSERT INTO ${Tables.deliveries} AS d
           (id, account_id, destination_id, conversion_id, click_id, stage, status, created_at,
            next_attempt_at, conversion, scheduled, lease_until)
         SELECT id, account_id, destination_id, conversion_id, click_id, stage, 'pending',
                created_at, created_at, conversion::json, true,
                CASE WHEN ord <= $9
                  THEN now() + make_interval(secs => $10::double precision / 1000) END
           FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[],
                       $7::timestamptz[], $8::text[]) WITH ORDINALITY
             AS x(id, account_id, destination_id, conversion_id, click_id, stage, created_at,
                  conversion, ord)
         ON CONFLICT (id) DO UPDATE
           SET conversion = EXCLUDED.conversion, lease_until = EXCLUDED.lease_until,
               scheduled = true
           WHERE d.conversion IS NULL AND d.rendered IS NULL AND d.attempts = 0
             AND d.lease_until IS NULL
         RETURNING d.id, d.lease_until IS NOT NULL AS leased`,
        [
          ...columnArrays(
            fresh.map((delivery) => ({ ...delivery, conversion: delivery.stored })),
            [
              'id',
              'account_id',
              'destination_id',
              'conversion_id',
              'click_id',
              'stage',
              'created_at',
              'conversion',
            ],
          ),
          room,
          LEASE_MS,
        ],
      );
    });
    // The leased ones are the first `room` (a row the upsert left alone is someone else's:
    // sending it too costs a second request with the same key, recorded once).
    this.sender.take(
      fresh.slice(0, room).map(dueDelivery),
      room,
      written.then((rows) => ({ untaken: rows.filter((row) => !row.leased).length })),
    );
    deliveriesScheduled.inc((await written).length);
  }
}
