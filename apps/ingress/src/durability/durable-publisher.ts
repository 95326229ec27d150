import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import { AnyEvent, assertValidEvent } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { encodeEvent, EventProducer, KafkaRuntime } from '@tracker/kafka';
import { ReadinessFailure, readinessReason, ReadinessRegistry } from '@tracker/platform';
import { Counter, Gauge, register } from 'prom-client';
import { Spool, SpoolEntry, SpoolRecord } from './spool';

type KafkaMessage = ReturnType<typeof encodeEvent>;

/** How long a direct send may take before the request is answered from the spool instead. */
const SEND_TIMEOUT_MS = 1500;
const DRAIN_BATCH = 1000;
const RETRY_BACKOFF_MS = [200, 500, 1000, 2000];

interface DirectSend {
  record: SpoolRecord;
  sent: Promise<void>;
  startedAt: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

const spooledRecords = metric(
  'tracker_ingress_spooled_records_total',
  () =>
    new Counter({
      name: 'tracker_ingress_spooled_records_total',
      help: 'Events written to the on-disk spool because Kafka was unreachable',
    }),
);
const spoolBytes = metric(
  'tracker_ingress_spool_bytes',
  () => new Gauge({ name: 'tracker_ingress_spool_bytes', help: 'Bytes waiting in the spool' }),
);

/**
 * Makes ingress events durable before the HTTP answer: straight to Kafka (acks=all) while the
 * broker answers, else into the fsync'd spool, which a drainer publishes in order once it is
 * back. While the spool holds anything, new events queue behind it to keep their order.
 */
@Injectable()
export class DurablePublisher
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(DurablePublisher.name);
  private readonly producer: EventProducer;
  private readonly spool: Spool;
  /** Direct sends not settled yet, in start order (Map keeps insertion order). */
  private readonly inFlight = new Map<string, DirectSend>();
  /** Timed-out direct sends that may still land: true once known to be on the topic. */
  private readonly uncertain = new Map<string, Promise<boolean>>();
  private spooling = false;
  private draining: Promise<void> | null = null;
  private closing = false;
  private watchdog: NodeJS.Timeout | null = null;
  /** Why the drainer is not making progress (a disk error it retries), else null. */
  private drainTrouble: string | null = null;

  constructor(
    private readonly kafka: KafkaRuntime,
    @Inject(TRACKER_CONFIG) config: RuntimeConfig,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {
    // Its own producer with bounded retries, so a dead broker is noticed in about a second.
    this.producer = new EventProducer(kafka.kafka, { retries: 2 });
    this.spool = new Spool(config.spoolDir, config.spoolMaxBytes);
  }

  /**
   * SPEC section 4, Operations: Kafka being down alone never makes a process with the spool
   * unready; Kafka's state stays in the readiness body as a component.
   */
  onApplicationBootstrap(): void {
    this.readiness?.demote('kafka');
  }

  async onModuleInit(): Promise<void> {
    this.readiness?.registerComponent('spool-drainer', () => this.drainerHealthy());
    this.readiness?.register('durability', () => this.canMakeDurable());
    await this.spool.open();
    await this.producer.connect();
    this.watchdog = setInterval(() => this.expireSlowSends(), 100);
    this.watchdog.unref();
    if (!this.spool.isEmpty) {
      this.logger.warn(`draining ${this.spool.bytes} bytes left in the spool by a previous run`);
      this.enterSpooling();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Let in-flight sends either land or be spooled by the watchdog before closing.
    const deadline = Date.now() + SEND_TIMEOUT_MS + 1000;
    while (this.inFlight.size > 0 && Date.now() < deadline) await sleep(20);
    this.closing = true;
    if (this.watchdog) clearInterval(this.watchdog);
    await this.draining;
    await this.spool.close();
    await Promise.race([this.producer.disconnect().catch(() => undefined), sleep(3000)]);
  }

  /** Resolves once the event is on the topic (acks=all) or fsync'd in the spool. */
  publish(topic: string, event: AnyEvent, key: string): Promise<void> {
    assertValidEvent(event);
    const message = encodeEvent(event, key) as KafkaMessage & { value: string };
    const record: SpoolRecord = {
      id: event.id,
      topic,
      key,
      value: message.value,
      headers: message.headers as Record<string, string>,
    };
    if (this.spooling || this.closing) return this.toSpool(record);
    return new Promise<void>((resolve, reject) => {
      const sent = this.producer.send(topic, [message]);
      const send: DirectSend = { record, sent, startedAt: Date.now(), resolve, reject };
      this.inFlight.set(record.id, send);
      sent.then(
        () => {
          if (this.inFlight.delete(record.id)) resolve();
        },
        (error: Error) => {
          if (this.inFlight.delete(record.id)) this.fallBack(send, error.message, false);
        },
      );
    });
  }

  get spoolIsEmpty(): boolean {
    return this.spool.isEmpty;
  }

  /**
   * Readiness component (SPEC section 9: nothing stops silently): resolves while the spool
   * drains or is empty; rejects with the error the drainer keeps retrying.
   */
  /**
   * Readiness check: a postback can be made durable, in Kafka or else in the spool. Rejects only
   * when the broker does not answer and the spool is full (then the ingress answers 503 too).
   */
  async canMakeDurable(): Promise<void> {
    if (this.spool.hasRoom) return;
    try {
      await this.kafka.ping();
    } catch (error) {
      throw new ReadinessFailure(`Kafka ${readinessReason(error)} and the spool is full`);
    }
  }

  async drainerHealthy(): Promise<void> {
    if (this.drainTrouble) throw new ReadinessFailure(this.drainTrouble);
  }

  /** One timer for all requests instead of one per request: sends older than the timeout. */
  private expireSlowSends(): void {
    const limit = Date.now() - SEND_TIMEOUT_MS;
    for (const send of this.inFlight.values()) {
      if (send.startedAt > limit) break;
      this.inFlight.delete(send.record.id);
      this.fallBack(send, `no acknowledgement within ${SEND_TIMEOUT_MS} ms`, true);
    }
  }

  private fallBack(send: DirectSend, reason: string, mayStillLand: boolean): void {
    if (!this.spooling) this.logger.warn(`Kafka unavailable (${reason}); spooling to disk`);
    if (mayStillLand) {
      // The drainer must not resend it if the timed-out send is acknowledged after all.
      this.uncertain.set(
        send.record.id,
        send.sent.then(
          () => true,
          () => false,
        ),
      );
    }
    this.enterSpooling();
    this.toSpool(send.record).then(send.resolve, send.reject);
  }

  private toSpool(record: SpoolRecord): Promise<void> {
    spooledRecords.inc();
    const written = this.spool.append(record);
    spoolBytes.set(this.spool.bytes);
    return written;
  }

  private enterSpooling(): void {
    this.spooling = true;
    if (!this.draining) {
      this.draining = this.drain()
        .catch((error: Error) => this.logger.error(`spool drainer stopped: ${error.message}`))
        .finally(() => (this.draining = null));
    }
  }

  /** Waits before the drainer's next try; the reason shows in readiness meanwhile. */
  private async retryLater(step: string, error: unknown, failures: number): Promise<void> {
    const wait = RETRY_BACKOFF_MS[Math.min(failures, RETRY_BACKOFF_MS.length - 1)];
    // Readiness shows the step and the error's code, never a raw message (paths, hosts).
    const code = (error as { code?: unknown }).code;
    this.drainTrouble = `${step} failed${typeof code === 'string' ? ` (${code})` : ''}; retrying`;
    this.logger.warn(
      `spool drain: ${step} failed (${(error as Error).message}); retrying in ${wait} ms`,
    );
    await sleep(wait);
  }

  /**
   * Publishes the spool in order; back to direct sends once it is empty. Every failure (broker,
   * disk) is retried with a growing delay: the drainer only stops when the process closes.
   */
  private async drain(): Promise<void> {
    let failures = 0;
    while (!this.closing) {
      let entries: SpoolEntry[] | null;
      try {
        entries = await this.spool.read(DRAIN_BATCH);
      } catch (error) {
        await this.retryLater('reading the spool', error, failures++);
        continue;
      }
      if (!entries || entries.length === 0) {
        if (this.spool.isEmpty && this.inFlight.size === 0) {
          this.spooling = false;
          this.drainTrouble = null;
          spoolBytes.set(0);
          this.logger.log('spool drained; publishing directly again');
          return;
        }
        await sleep(10); // an append is being fsync'd
        continue;
      }
      // A batch is sent per run of one topic, so a partial failure never resends another topic.
      const run = leadingRun(entries);
      const toSend: KafkaMessage[] = [];
      for (const { record } of run) {
        const maybe = this.uncertain.get(record.id);
        if (maybe && (await maybe)) continue;
        toSend.push({ key: record.key, value: record.value, headers: record.headers });
      }
      try {
        await this.producer.send(run[0].record.topic, toSend);
      } catch (error) {
        await this.retryLater('publishing the spool', error, failures++);
        continue;
      }
      try {
        await this.spool.acknowledge(run[run.length - 1].cursor);
      } catch (error) {
        // Sent but not acknowledged on disk: the next round sends it again (same event ids).
        await this.retryLater('acknowledging the spool', error, failures++);
        continue;
      }
      failures = 0;
      this.drainTrouble = null;
      for (const { record } of run) this.uncertain.delete(record.id);
      spoolBytes.set(this.spool.bytes);
    }
  }
}

function leadingRun(entries: SpoolEntry[]): SpoolEntry[] {
  const topic = entries[0].record.topic;
  let length = 1;
  while (length < entries.length && entries[length].record.topic === topic) length++;
  return entries.slice(0, length);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
