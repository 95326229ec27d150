import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  assertValidEvent,
  createEvent,
  deterministicEventId,
  DeliveryAttemptedEvent,
  partitionKeyOf,
  Topics,
} from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import {
  maskUrl,
  renderRequest,
  RenderedRequest,
  SendResult,
  sendRendered,
} from '@tracker/destinations';
import { lockModelShared } from '@tracker/replay';
import { DataSource } from 'typeorm';
import { DestinationDirectory } from '../destinations/destination.directory';
import { unsendableTo } from '../destinations/destination-state';
import { DispatcherOutboxRelay } from '../outbox/outbox.relay';
import { columnArrays } from '../shared/column-arrays';
import { DISPATCHER_DB, Tables } from '../shared/schema';
import {
  attemptDuration,
  deliveriesFinished,
  deliveryAttempts,
  deliveryLatency,
} from './delivery-metrics';
import { decideAttempt } from './retry-policy';
import {
  DUE_DELIVERY_COLUMNS,
  DueDelivery,
  LEASE_MS,
  ScheduledHandOff,
} from './scheduled-hand-off';

interface AttemptRecord {
  delivery: DueDelivery;
  rendered: RenderedRequest | null;
  event: DeliveryAttemptedEvent;
  windowStartedAt: string;
}

/** Deliveries claimed at once, and most in flight per process. */
const CLAIM_BATCH = 200;
const MAX_IN_FLIGHT = 512;
const POLL_MS = 250;

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL with `[rows, rowCount]`. */
function returnedRows<T>(result: unknown): T[] {
  return (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as T[];
}

/** Text PostgreSQL can store: NUL is not allowed in `text`. */
const storable = (value: string | null) =>
  value === null ? null : value.replaceAll(String.fromCharCode(0), '\uFFFD');

/**
 * Sends due deliveries (SPEC section 4): claims them with a lease, or takes fresh ones the
 * scheduler leased for it as it wrote them (a crashed sender's deliveries go out again with the
 * same `Idempotency-Key` once the lease expires), renders the request at
 * the first attempt and reuses it for retries, sends it, and records each attempt with its
 * DeliveryAttempted event in one transaction per group of finished attempts.
 */
@Injectable()
export class DeliveryWorker
  implements OnApplicationBootstrap, BeforeApplicationShutdown, ScheduledHandOff
{
  private readonly logger = new Logger(DeliveryWorker.name);
  private inFlight = 0;
  /** Room promised to the scheduler's hand-off in progress (counts as in flight). */
  private reserved = 0;
  /** Settles when nothing is reserved any more (awaited at shutdown). */
  private reservations: { done: Promise<void>; settle: () => void } | null = null;
  private claiming: Promise<void> | null = null;
  private claimAgain = false;
  private finished: AttemptRecord[] = [];
  private flushing: Promise<void> | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly sends = new Set<Promise<void>>();

  constructor(
    private readonly destinations: DestinationDirectory,
    private readonly relay: DispatcherOutboxRelay,
    @InjectDataSource(DISPATCHER_DB) private readonly dataSource: DataSource,
    @Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  reserve(wanted: number): number {
    if (this.stopped) return 0;
    const room = Math.max(0, Math.min(wanted, MAX_IN_FLIGHT - this.inFlight - this.reserved));
    if (room > 0 && !this.reservations) {
      let settle = () => undefined as void;
      const done = new Promise<void>((resolve) => (settle = resolve));
      this.reservations = { done, settle };
    }
    this.reserved += room;
    return room;
  }

  take(rows: DueDelivery[], reserved: number, written: Promise<{ untaken: number }>): void {
    this.reserved -= reserved;
    if (this.reserved === 0 && this.reservations) {
      this.reservations.settle();
      this.reservations = null;
    }
    // Leased here: sent even while stopping (the lease would only delay them by LEASE_MS).
    for (const row of rows) this.send({ ...row, written });
    written.then(
      ({ untaken }) => {
        if (untaken > 0) this.kick();
      },
      () => undefined,
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Graceful shutdown: stop claiming, let sends in flight finish and record them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.claiming;
    // A hand-off reserved before the stop still brings leased deliveries: send them too.
    await this.reservations?.done;
    await Promise.all([...this.sends]);
    await this.flush();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimLoop()
      .catch((error: Error) => this.logger.warn(`claiming deliveries failed: ${error.message}`))
      .finally(() => {
        this.claiming = null;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.kick();
        }
      });
  }

  private async claimLoop(): Promise<void> {
    while (!this.stopped && this.inFlight + this.reserved < MAX_IN_FLIGHT) {
      const claimedAt = Date.now();
      const rows = await this.claim(
        Math.min(CLAIM_BATCH, MAX_IN_FLIGHT - this.inFlight - this.reserved),
      );
      // A retry must see the destination as it is now: disabled or deleted since the last
      // attempt, it is not sent again. (Fresh deliveries were matched against a current one.)
      if (rows.some((row) => row.attempts > 0)) {
        await this.destinations.currentAt(claimedAt).catch((error: Error) => {
          this.logger.warn(
            `destinations not current, retrying with the last known: ${error.message}`,
          );
        });
      }
      for (const row of rows) this.send(row);
      if (rows.length < CLAIM_BATCH) return;
    }
  }

  private send(row: DueDelivery): void {
    this.inFlight++;
    const send = this.attempt(row).finally(() => {
      this.inFlight--;
      this.sends.delete(send);
    });
    this.sends.add(send);
  }

  private async claim(limit: number): Promise<DueDelivery[]> {
    const result: unknown = await this.dataSource.query(
      `UPDATE ${Tables.deliveries} d
          SET lease_until = now() + make_interval(secs => $2::double precision / 1000)
        WHERE d.id IN (
          SELECT id FROM ${Tables.deliveries}
           WHERE status IN ('pending', 'retrying') AND scheduled
             AND next_attempt_at <= now()
             AND (lease_until IS NULL OR lease_until < now())
           ORDER BY next_attempt_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING ${DUE_DELIVERY_COLUMNS}`,
      [limit, LEASE_MS],
    );
    return returnedRows<DueDelivery>(result);
  }

  private async attempt(delivery: DueDelivery): Promise<void> {
    try {
      const now = () => new Date();
      let rendered = delivery.rendered;
      let result: SendResult;
      const destination = this.destinations.get(delivery.destination_id);
      let unsendable = unsendableTo(destination);
      if (!rendered && !unsendable) {
        if (!destination || !delivery.conversion) {
          unsendable = 'no conversion to render the request from';
        } else {
          try {
            rendered = renderRequest(destination, delivery.conversion);
          } catch (error) {
            unsendable = `the request could not be rendered: ${(error as Error).message}`;
          }
        }
      }
      if (!rendered || unsendable) {
        result = {
          status: null,
          body: null,
          error: unsendable ?? 'no request to send',
          errorKind: 'invalid_request',
          location: null,
          durationMs: 0,
        };
      } else {
        result = await sendRendered(
          { ...rendered, headers: { ...rendered.headers, 'Idempotency-Key': delivery.id } },
          { allowPrivate: this.config.destinationsAllowPrivate },
        );
        attemptDuration.observe(result.durationMs / 1000);
      }
      const attemptedAt = now();
      const windowStartedAt = delivery.window_started_at ?? attemptedAt;
      const attempt = delivery.attempts + 1;
      const decision = decideAttempt(result, attempt, new Date(windowStartedAt), attemptedAt);
      const event = createEvent(
        'DeliveryAttempted',
        {
          deliveryId: delivery.id,
          destinationId: delivery.destination_id,
          conversionId: delivery.conversion_id,
          attempt,
          request: {
            method: rendered?.method ?? 'GET',
            url: maskUrl(rendered?.url ?? ''),
            bodySize: rendered?.body ? Buffer.byteLength(rendered.body) : 0,
          },
          responseStatus: result.status,
          responseBody: storable(result.body),
          error: storable(decision.error),
          durationMs: Math.max(0, Math.round(result.durationMs)),
          outcome: decision.outcome,
          nextAttemptAt: decision.nextAttemptAt?.toISOString() ?? null,
        },
        {
          id: deterministicEventId('DeliveryAttempted', delivery.id, String(attempt)),
          accountId: delivery.account_id,
          integrationId: delivery.conversion?.integrationId ?? null,
          correlationId: delivery.click_id,
          causationId: delivery.conversion_id,
          occurredAt: attemptedAt,
        },
      );
      if (delivery.written) {
        try {
          await delivery.written;
        } catch {
          // Its row was never written: the scheduler's batch comes again and sends it again.
          return;
        }
      }
      this.finished.push({
        delivery,
        rendered,
        event: assertValidEvent(event) as DeliveryAttemptedEvent,
        windowStartedAt: new Date(windowStartedAt).toISOString(),
      });
      void this.flushSoon();
    } catch (error) {
      // The lease expires and the delivery is attempted again with the same key.
      this.logger.error(`delivery ${delivery.id}: ${(error as Error).message}`);
    }
  }

  private flushSoon(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      if (this.finished.length > 0) void this.flushSoon();
    });
    return this.flushing;
  }

  /** Records finished attempts in one transaction; a failed write is retried with the next. */
  private async flush(): Promise<void> {
    const records = this.finished;
    this.finished = [];
    if (records.length === 0) return;
    try {
      await this.record(records);
    } catch (error) {
      this.logger.warn(
        `recording ${records.length} attempts failed, retrying: ${(error as Error).message}`,
      );
      this.finished.unshift(...records);
      await new Promise((resolve) => setTimeout(resolve, 500));
      return;
    }
    for (const { delivery, event } of records) {
      const { outcome } = event.payload;
      deliveryAttempts.inc({ outcome });
      if (outcome !== 'retrying') deliveriesFinished.inc({ outcome });
      if (outcome === 'delivered' && delivery.conversion) {
        deliveryLatency.observe(
          (Date.parse(event.occurredAt) - Date.parse(delivery.conversion.occurredAt)) / 1000,
        );
      }
    }
    this.relay.kick();
    this.kick();
  }

  private async record(records: AttemptRecord[]): Promise<void> {
    const rows = records.map(({ delivery, rendered, event, windowStartedAt }) => ({
      id: delivery.id,
      attempt: event.payload.attempt,
      attempted_at: event.occurredAt,
      status: event.payload.outcome,
      next_attempt_at: event.payload.nextAttemptAt,
      response_status: event.payload.responseStatus,
      response_body: event.payload.responseBody,
      error: event.payload.error,
      request_method: event.payload.request.method,
      request_url: event.payload.request.url,
      body_size: event.payload.request.bodySize,
      duration_ms: event.payload.durationMs,
      rendered: rendered === null ? null : JSON.stringify(rendered),
      window_started_at: windowStartedAt,
      topic: Topics.Deliveries,
      message_key: partitionKeyOf(event),
      event: JSON.stringify(event),
    }));
    await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'dispatcher');
      // One statement (the rows cross the wire once): the attempts guard first — an attempt
      // whose lease ran out and was re-sent by another sender is recorded once, by whichever
      // finished first —, then the attempt and its DeliveryAttempted (in the flush's order) of
      // each recorded one.
      await manager.query(
        `WITH x AS (
           SELECT * FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[],
                                $5::timestamptz[], $6::int[], $7::text[], $8::text[], $9::text[],
                                $10::text[], $11::text[], $12::timestamptz[], $13::int[],
                                $14::int[], $15::text[], $16::text[], $17::text[])
             WITH ORDINALITY
             AS x(id, attempt, attempted_at, status, next_attempt_at, response_status,
                  response_body, error, request_method, request_url, rendered,
                  window_started_at, body_size, duration_ms, topic, message_key, event, ord)
         ), updated AS (
           UPDATE ${Tables.deliveries} d
              SET status = x.status, attempts = x.attempt, last_attempt_at = x.attempted_at,
                  next_attempt_at = x.next_attempt_at, response_status = x.response_status,
                  response_body = x.response_body, error = x.error,
                  request_method = x.request_method, request_url = x.request_url,
                  rendered = COALESCE(x.rendered::json, d.rendered),
                  conversion = CASE WHEN x.rendered IS NULL THEN d.conversion END,
                  window_started_at = x.window_started_at, lease_until = NULL
             FROM x
            WHERE d.id = x.id AND d.attempts = x.attempt - 1
            RETURNING d.id
         ), recorded AS (
           SELECT * FROM x WHERE x.id IN (SELECT id FROM updated)
         ), attempts AS (
           INSERT INTO ${Tables.attempts} (delivery_id, attempt, attempted_at, request_method,
             request_url, body_size, response_status, response_body, error, duration_ms,
             outcome, next_attempt_at)
           SELECT id, attempt, attempted_at, request_method, request_url, body_size,
                  response_status, response_body, error, duration_ms, status, next_attempt_at
             FROM recorded
           ON CONFLICT DO NOTHING
         )
         INSERT INTO ${Tables.outbox} (topic, message_key, event, delivery_id)
         SELECT topic, message_key, event::json, id FROM recorded ORDER BY ord`,
        columnArrays(rows, [
          'id',
          'attempt',
          'attempted_at',
          'status',
          'next_attempt_at',
          'response_status',
          'response_body',
          'error',
          'request_method',
          'request_url',
          'rendered',
          'window_started_at',
          'body_size',
          'duration_ms',
          'topic',
          'message_key',
          'event',
        ]),
      );
    });
  }
}
