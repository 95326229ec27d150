import { Logger } from '@nestjs/common';
import { AnyEvent, assertValidEvent } from '@tracker/contracts';
import { CompressionTypes, Kafka, Message, Partitioners, Producer } from 'kafkajs';
import { Counter, Histogram, register } from 'prom-client';
import { encodeEvent } from './message-codec';
import { MAX_MESSAGE_BYTES, messageBytes, MessageTooLargeError } from './message-size';

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
  /** A larger message is refused at once with MessageTooLargeError. Default MAX_MESSAGE_BYTES. */
  maxMessageBytes?: number;
  /** Messages gathered for one produce request stay below this many bytes. Default MAX_MESSAGE_BYTES. */
  maxRequestBytes?: number;
}

interface Pending {
  topic: string;
  messages: Message[];
  /** messageBytes() of each message, in order. */
  sizes: number[];
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

/** One produce request: what it carries and whose send() it completes. */
interface ProduceRequest {
  byTopic: Map<string, Message[]>;
  messages: number;
  /** Sends whose last message is in this request: they resolve when it is acknowledged. */
  completes: Pending[];
}

/**
 * Cuts queued sends into produce requests of at most `maxBytes` (in queue order, so per-partition
 * order holds across requests); one send may span several requests.
 */
function splitIntoRequests(batch: Pending[], maxBytes: number): ProduceRequest[] {
  const requests: ProduceRequest[] = [];
  let current: ProduceRequest = { byTopic: new Map(), messages: 0, completes: [] };
  let bytes = 0;
  for (const pending of batch) {
    pending.messages.forEach((message, index) => {
      const size = pending.sizes[index];
      if (current.messages > 0 && bytes + size > maxBytes) {
        requests.push(current);
        current = { byTopic: new Map(), messages: 0, completes: [] };
        bytes = 0;
      }
      const list = current.byTopic.get(pending.topic) ?? [];
      list.push(message);
      current.byTopic.set(pending.topic, list);
      current.messages += 1;
      bytes += size;
    });
    current.completes.push(pending);
  }
  if (current.messages > 0) requests.push(current);
  return requests;
}

/**
 * Idempotent, acks=all producer that batches on its own: kafkajs sends one request per call,
 * so concurrent callers are gathered for `lingerMs` (or while the previous request is in flight)
 * and sent with one sendBatch. Every send() resolves only after the broker acknowledged it.
 * Requests stay below `maxRequestBytes` (a large gathering is sent as several, in order), and a
 * message above `maxMessageBytes` is refused at once (SPEC section 9: sizes bounded end to end),
 * so one oversized message never blocks the others behind endless retries.
 */
export class EventProducer {
  private readonly logger = new Logger(EventProducer.name);
  private readonly producer: Producer;
  private readonly lingerMs: number;
  private readonly maxBatchMessages: number;
  private readonly requestTimeoutMs: number;
  private readonly maxMessageBytes: number;
  private readonly maxRequestBytes: number;
  private queue: Pending[] = [];
  private queuedMessages = 0;
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private connected = false;

  constructor(kafka: Kafka, options: EventProducerOptions = {}) {
    this.lingerMs = options.lingerMs ?? 2;
    this.maxBatchMessages = options.maxBatchMessages ?? 1000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30000;
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_MESSAGE_BYTES;
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

  /**
   * Sends raw messages in order; resolves once the broker acknowledged all of them.
   * @throws MessageTooLargeError (as a rejection, nothing sent) when one exceeds maxMessageBytes.
   */
  send(topic: string, messages: Message[]): Promise<void> {
    return this.enqueue(topic, messages, []);
  }

  private enqueue(
    topic: string,
    messages: Message[],
    correlationIds: ReadonlyArray<string | null>,
  ): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    const sizes = messages.map(messageBytes);
    const largest = Math.max(...sizes);
    if (largest > this.maxMessageBytes) {
      return Promise.reject(new MessageTooLargeError(topic, largest, this.maxMessageBytes));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, sizes, correlationIds, resolve, reject });
      this.queuedMessages += messages.length;
      for (const size of sizes) this.queuedBytes += size;
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
    if (this.queuedMessages >= this.maxBatchMessages || this.queuedBytes >= this.maxRequestBytes) {
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
    this.queuedBytes = 0;
    this.inFlight = this.sendBatch(batch).finally(() => {
      this.inFlight = null;
      // What queued meanwhile has waited a whole round trip already: no second linger.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async sendBatch(batch: Pending[]): Promise<void> {
    const requests = splitIntoRequests(batch, this.maxRequestBytes);
    for (const [index, request] of requests.entries()) {
      try {
        await this.producer.sendBatch({
          topicMessages: [...request.byTopic].map(([topic, messages]) => ({ topic, messages })),
          acks: -1,
          timeout: this.requestTimeoutMs,
          compression: CompressionTypes.None,
        });
      } catch (error) {
        // Sends completed by earlier requests stand; this one and the rest are refused.
        this.reportFailure(error as Error, requests.slice(index));
        return;
      }
      for (const [topic, messages] of request.byTopic) sentMessages.inc({ topic }, messages.length);
      batchSizes.observe(request.messages);
      for (const pending of request.completes) pending.resolve();
    }
  }

  private reportFailure(error: Error, failed: ProduceRequest[]): void {
    const pendings = failed.flatMap((request) => request.completes);
    const correlationIds = new Set<string>();
    for (const pending of pendings) {
      for (const id of pending.correlationIds)
        if (id && correlationIds.size < 20) correlationIds.add(id);
    }
    this.logger.warn({
      msg: `produce failed: ${error.message}`,
      topics: [...new Set(failed.flatMap((request) => [...request.byTopic.keys()]))],
      messages: pendings.reduce((n, pending) => n + pending.messages.length, 0),
      correlationIds: [...correlationIds],
    });
    for (const pending of pendings) pending.reject(error);
  }
}
