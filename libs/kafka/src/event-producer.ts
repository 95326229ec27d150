import { Logger } from '@nestjs/common';
import { AnyEvent, assertValidEvent } from '@tracker/contracts';
import { CompressionTypes, Kafka, Message, Partitioners, Producer, TopicMessages } from 'kafkajs';
import { Counter, Histogram, register } from 'prom-client';
import { encodeEvent } from './message-codec';

export interface EventProducerOptions {
  /** How long a message may wait for companions before its batch is sent. */
  lingerMs?: number;
  /** A batch is sent at once when it reaches this many messages. */
  maxBatchMessages?: number;
  /**
   * Retries of one batch before send() rejects. The default (unbounded) suits services that
   * must never drop; the ingress bounds it so it can fall back to its spool quickly.
   */
  retries?: number;
  /** Broker-side timeout of one produce request. */
  requestTimeoutMs?: number;
}

interface Pending {
  topic: string;
  messages: Message[];
  /** Correlation ids of the events, for the failure log (none for raw sends). */
  correlationIds: ReadonlyArray<string | null>;
  resolve: () => void;
  reject: (error: Error) => void;
}

function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

const sentMessages = metric(
  'tracker_kafka_produced_messages_total',
  () =>
    new Counter({
      name: 'tracker_kafka_produced_messages_total',
      help: 'Messages acknowledged by Kafka (acks=all)',
      labelNames: ['topic'],
    }),
);
const batchSizes = metric(
  'tracker_kafka_produce_batch_messages',
  () =>
    new Histogram({
      name: 'tracker_kafka_produce_batch_messages',
      help: 'Messages per produce request',
      buckets: [1, 5, 20, 50, 100, 250, 500, 1000, 5000],
    }),
);

/**
 * Idempotent, acks=all producer that batches on its own: kafkajs sends one request per call,
 * so concurrent callers are gathered for `lingerMs` (or while the previous request is in flight)
 * and sent with one sendBatch. Every send() resolves only after the broker acknowledged it.
 */
export class EventProducer {
  private readonly logger = new Logger(EventProducer.name);
  private readonly producer: Producer;
  private readonly lingerMs: number;
  private readonly maxBatchMessages: number;
  private readonly requestTimeoutMs: number;
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private connected = false;

  constructor(kafka: Kafka, options: EventProducerOptions = {}) {
    this.lingerMs = options.lingerMs ?? 2;
    this.maxBatchMessages = options.maxBatchMessages ?? 1000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30000;
    const retries = options.retries;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // Java-compatible murmur2, so keys land where other Kafka clients would put them.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: {
        retries: retries ?? Number.MAX_SAFE_INTEGER,
        initialRetryTime: 100,
        maxRetryTime: retries === undefined ? 5000 : 1000,
      },
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    await this.flushNow();
    if (this.connected) await this.producer.disconnect();
    this.connected = false;
  }

  /** Validates the event against libs/contracts and sends it with the SPEC's routing headers. */
  publish(topic: string, event: AnyEvent, key: string): Promise<void> {
    assertValidEvent(event);
    return this.enqueue(topic, [encodeEvent(event, key)], [event.correlationId ?? null]);
  }

  publishMany(topic: string, events: Array<{ event: AnyEvent; key: string }>): Promise<void> {
    const messages = events.map(({ event, key }) => {
      assertValidEvent(event);
      return encodeEvent(event, key);
    });
    return this.enqueue(
      topic,
      messages,
      events.map(({ event }) => event.correlationId ?? null),
    );
  }

  /** A null value: the delete marker of a compacted topic. */
  publishTombstone(topic: string, key: string): Promise<void> {
    return this.send(topic, [{ key, value: null }]);
  }

  send(topic: string, messages: Message[]): Promise<void> {
    return this.enqueue(topic, messages, []);
  }

  private enqueue(
    topic: string,
    messages: Message[],
    correlationIds: ReadonlyArray<string | null>,
  ): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, correlationIds, resolve, reject });
      this.queuedMessages += messages.length;
      this.schedule();
    });
  }

  /** Sends whatever is queued and waits until the broker acknowledged it. */
  async flushNow(): Promise<void> {
    while (this.inFlight || this.queue.length > 0) {
      if (this.inFlight) await this.inFlight.catch(() => undefined);
      else this.startFlush();
    }
  }

  private schedule(): void {
    if (this.inFlight) return; // the in-flight request's completion picks the queue up
    if (this.queuedMessages >= this.maxBatchMessages) {
      this.startFlush();
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.startFlush(), this.lingerMs);
  }

  private startFlush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.inFlight || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.queuedMessages = 0;
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = null;
      // What queued meanwhile has waited a whole round trip already: no second linger.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      const list = byTopic.get(pending.topic) ?? [];
      for (const message of pending.messages) list.push(message);
      byTopic.set(pending.topic, list);
    }
    const topicMessages: TopicMessages[] = [...byTopic].map(([topic, messages]) => ({
      topic,
      messages,
    }));
    try {
      await this.producer.sendBatch({
        topicMessages,
        acks: -1,
        timeout: this.requestTimeoutMs,
        compression: CompressionTypes.None,
      });
      let total = 0;
      for (const { topic, messages } of topicMessages) {
        sentMessages.inc({ topic }, messages.length);
        total += messages.length;
      }
      batchSizes.observe(total);
      for (const pending of batch) pending.resolve();
    } catch (error) {
      const correlationIds = new Set<string>();
      for (const pending of batch) {
        for (const id of pending.correlationIds)
          if (id && correlationIds.size < 20) correlationIds.add(id);
      }
      this.logger.warn({
        msg: `produce failed: ${(error as Error).message}`,
        topics: [...byTopic.keys()],
        messages: batch.reduce((n, pending) => n + pending.messages.length, 0),
        correlationIds: [...correlationIds],
      });
      for (const pending of batch) pending.reject(error as Error);
    }
  }
}
