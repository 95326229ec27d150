import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { Counter, Gauge, Histogram, register } from 'prom-client';
import { DeadLetter, deadLetterLogFields, sendToDeadLetter } from './dead-letter';
import { TransientError } from './transient-error';
import { EventProducer } from './event-producer';
import { IDLE_FETCH_WAIT_MS } from './idle-fetch';
import { ConsumedEvent, decodeMessage, RawMessage } from './message-codec';

/**
 * What a handler returns when it accepted a batch but writes some of its messages later (e.g.
 * the postback log holding a postback back to store it together with its outcome). `written`
 * resolves once they are stored; until then the batch's offsets are not committed, so a crash
 * reads them again. When it rejects, the consumer reads the partition again from its first
 * offset not committed; the handler should then write those messages in line, so one that can
 * never be written meets the consumer's retries and dead-lettering instead of failing forever.
 */
export interface DeferredWrite {
  written: Promise<void>;
}

/**
 * Handles a whole batch, typically in one database transaction. It must be idempotent by
 * event id: after a crash between the transaction and the offset commit the batch comes again.
 * It may return a DeferredWrite (only with `commitBehind`; in line, the commit waits for it).
 */
export type BatchHandler = (messages: ConsumedEvent[]) => Promise<void | DeferredWrite>;

/** One handled slice of a partition whose offsets wait for a deferred write (or an earlier one). */
interface HeldSlice {
  /** The slice's first offset: where the partition is read again if a deferred write fails. */
  from: string;
  /** The offset to commit once this slice and every earlier one are written. */
  next: { topic: string; partition: number; offset: string };
  written: boolean;
}

export interface BatchConsumerOptions {
  /** Names the step in logs, metrics and DLQ headers, e.g. `postback-log.projection`. */
  name: string;
  groupId: string;
  topics: string[];
  handle: BatchHandler;
  /** Start of a new group: read models start from the beginning so they can be rebuilt. */
  fromBeginning?: boolean;
  /** Attempts per sub-batch (and then per message) before a message goes to the DLQ. */
  maxAttempts?: number;
  retryBackoffMs?: number;
  /** Messages handed to one handler call; heartbeats and commits happen between them. */
  subBatchSize?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  /**
   * How long the broker may hold a fetch to gather data. Each fetch costs the broker and this
   * process a round trip whatever it carries; under load, `minBytes` (bytes per fetch response)
   * with a short `maxWaitMs` turns a stream of one-message fetches into a few large batches at
   * the price of at most `maxWaitMs` more latency. Default: answer as soon as anything is there,
   * else after 100 ms.
   */
  fetch?: { minBytes: number; maxWaitMs: number };
  /**
   * Commit offsets behind the handler instead of before the next batch: the next fetch does
   * not wait for the commit's round trip, and the commits of batches handled meanwhile are
   * merged into one request. A crash (or a lost partition) may then hand the last handled
   * batches to the handler again, so use it only where the handler ignores what it already
   * did. Stopping commits what was handled. Default: false (each batch committed in line).
   */
  commitBehind?: boolean;
  /**
   * Called once when the consumer stops, before it waits for deferred writes (the handler's
   * chance to write what it holds now rather than at its own deadline).
   */
  onStop?: () => Promise<void>;
}

function metric<T>(name: string, create: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? create();
}

const handledMessages = metric(
  'tracker_consumer_messages_total',
  () =>
    new Counter({
      name: 'tracker_consumer_messages_total',
      help: 'Messages handled and committed by batch consumers',
      labelNames: ['consumer'],
    }),
);
const handlerBatchSizes = metric(
  'tracker_consumer_batch_messages',
  () =>
    new Histogram({
      name: 'tracker_consumer_batch_messages',
      help: 'Messages per handler call (projection batch size)',
      labelNames: ['consumer'],
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    }),
);

const consumerUp = metric(
  'tracker_consumer_up',
  () =>
    new Gauge({
      name: 'tracker_consumer_up',
      help: '1 while a batch consumer consumes, 0 while it is crashed and restarting or stopped',
      labelNames: ['consumer'],
    }),
);

/** Connection-level failures and PostgreSQL SQLSTATE classes that a retry can cure. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
const TRANSIENT_SQLSTATE = /^(08|53|57P|40001|40P01|55P03)/;

export function isTransientError(error: Error): boolean {
  // Our own marker, and kafkajs' flag on errors a retry can cure (broker briefly away).
  if (error instanceof TransientError || (error as { retriable?: unknown }).retriable === true) {
    return true;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || TRANSIENT_SQLSTATE.test(code))) {
    return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
    error.message,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The consumer is stopping while its infrastructure is down: the batch in hand is left
 * uncommitted for the next member instead of being counted as failed and dead-lettered.
 */
class ShutdownDuringOutage extends Error {
  constructor(cause: Error) {
    super(`stopping while infrastructure is unavailable: ${cause.message}`);
    this.name = 'ShutdownDuringOutage';
  }
}

/**
 * The only consumer loop of the project: eachBatch without auto-resolve, the handler gets a
 * sub-batch, offsets are committed only after it returned, failures are retried and then
 * isolated message by message so one poison message goes to the DLQ instead of blocking.
 */
export class BatchConsumer {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private readonly maxAttempts: number;
  private readonly retryBackoffMs: number;
  private readonly subBatchSize: number;
  private running = false;
  /** Null while consuming; else why not (crashed and restarting, not started). */
  private problem: string | null = 'not started';
  private restarts = 0;
  /** Crashes so far (each followed by a restart while it runs). */
  crashes = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  /** `commitBehind`: the next offset to commit per `topic:partition`, and the commit running. */
  private readonly uncommitted = new Map<
    string,
    { topic: string; partition: number; offset: string }
  >();
  private committing: Promise<void> | null = null;
  /**
   * `commitBehind` with deferred writes: per `topic:partition`, handled slices in offset order
   * from the first one whose write is still deferred; their offsets are committed in order as
   * the writes land. Absent while nothing of the partition waits.
   */
  private readonly held = new Map<string, HeldSlice[]>();
  /** Deferred writes not settled yet (a stop waits for them before its last commit). */
  private readonly deferred = new Set<Promise<unknown>>();
  /**
   * Partitions whose deferred write failed while stopping (no seek any more): nothing of them
   * is committed after that, so the next owner reads the failed messages again.
   */
  private readonly stalled = new Set<string>();

  constructor(
    kafka: Kafka,
    private readonly producer: EventProducer,
    private readonly options: BatchConsumerOptions,
  ) {
    this.logger = new Logger(`consumer:${options.name}`);
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.subBatchSize = options.subBatchSize ?? 1000;
    const sessionTimeout = options.sessionTimeoutMs ?? 30000;
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      // At least three heartbeats per session, so one slow beat does not cost the partitions.
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeout / 3)),
      minBytes: options.fetch?.minBytes ?? 1,
      maxWaitTimeInMs: options.fetch?.maxWaitMs ?? 100,
      idleMaxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      // Restarts after a crash back off to 2 s at most: when the broker returns, a consumer
      // asleep for 5 s more was a sixth of issue 14's 30 s from the broker's return to all final.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 2000 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.problem = null;
      consumerUp.set({ consumer: options.name }, 1);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) =>
      this.onCrash(payload.error, payload.restart),
    );
  }

  /** Null while it consumes; else a short reason (for readiness and `tracker_consumer_up`). */
  get health(): string | null {
    return this.problem;
  }

  get name(): string {
    return this.options.name;
  }

  async start(): Promise<void> {
    this.running = true;
    this.problem = 'starting';
    await this.launch();
  }

  private async launch(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.options.fromBeginning ?? true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Waits for the batch in hand to be handled and committed, then leaves the group. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.problem = 'stopped';
    consumerUp.set({ consumer: this.options.name }, 0);
    // Held messages: the handler writes them now, or at its own deadline without onStop.
    await this.options
      .onStop?.()
      .catch((error: Error) =>
        this.logger.warn(`writing held messages on stop failed: ${error.message}`),
      );
    while (this.deferred.size > 0) await Promise.allSettled([...this.deferred]);
    await this.commitHandled();
    await this.consumer.disconnect();
  }

  /**
   * kafkajs restarts a consumer after retriable errors only; after any other (a bug, an error it
   * does not know) the consumer would stay stopped while the process looks healthy. SPEC
   * section 9: it recovers by itself, with a growing delay, and says why meanwhile.
   */
  private onCrash(error: Error, restartedByKafkajs: boolean): void {
    if (!this.running) return;
    this.crashes += 1;
    this.problem = `crashed (${error.message}); restarting`;
    consumerUp.set({ consumer: this.options.name }, 0);
    this.logger.error(`consumer crashed: ${error.message}; restarting it`);
    if (restartedByKafkajs) return;
    const wait = Math.min(30_000, 1000 * 2 ** Math.min(this.restarts, 5));
    this.restarts += 1;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.running) return;
      this.launch().catch((failure: Error) => this.onCrash(failure, false));
    }, wait);
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, heartbeat, isRunning, isStale, resolveOffset } = payload;
    const { topic, partition } = batch;
    for (let start = 0; start < batch.messages.length; start += this.subBatchSize) {
      if (!isRunning() || isStale()) return;
      const slice = batch.messages.slice(start, start + this.subBatchSize) as RawMessage[];
      let deferred: Promise<void>[];
      try {
        deferred = await this.process(topic, partition, slice, heartbeat);
      } catch (error) {
        if (!(error instanceof ShutdownDuringOutage)) throw error;
        this.logger.warn(`${error.message}; ${topic}[${partition}] resumes from its last commit`);
        return;
      }
      // A failed deferred write rewound the partition meanwhile: this slice is read again too.
      if (isStale()) return;
      const last = slice[slice.length - 1].offset;
      resolveOffset(last);
      // Commit only now: the handler's transaction is done and dead letters are on their topic.
      const next = { topic, partition, offset: (BigInt(last) + 1n).toString() };
      const key = `${topic}:${partition}`;
      // A deferred write of this partition failed while stopping: commit nothing more of it.
      if (this.stalled.has(key)) return;
      if (this.options.commitBehind && (deferred.length > 0 || this.held.has(key))) {
        this.hold(key, { from: slice[0].offset, next, written: false }, deferred);
      } else if (this.options.commitBehind) {
        this.uncommitted.set(key, next);
        // Stopping: commit before kafkajs leaves the group (after that it cannot).
        if (this.running) void this.commitHandled();
        else await this.commitHandled();
      } else {
        // In line, the commit waits for a deferred write; a failed one crashes the consumer,
        // which restarts from the last commit.
        await Promise.all(deferred);
        await this.consumer.commitOffsets([next]);
      }
      handledMessages.inc({ consumer: this.options.name }, slice.length);
      await heartbeat();
    }
  }

  /**
   * Queues a handled slice behind the partition's earlier held ones; its offset is committed
   * once its deferred writes (none: at once) and every earlier slice's have landed.
   */
  private hold(key: string, slice: HeldSlice, deferred: Promise<void>[]): void {
    const queue = this.held.get(key) ?? [];
    queue.push(slice);
    this.held.set(key, queue);
    if (deferred.length === 0) {
      slice.written = true;
      this.advance(key);
      return;
    }
    const settled = Promise.all(deferred).then(
      () => {
        slice.written = true;
        this.advance(key);
      },
      (error: Error) => this.rewind(key, queue, error),
    );
    this.deferred.add(settled);
    void settled.finally(() => this.deferred.delete(settled));
  }

  /** Moves the partition's commit past every written slice at the head of its queue. */
  private advance(key: string): void {
    const queue = this.held.get(key);
    if (!queue) return;
    let next: HeldSlice['next'] | null = null;
    while (queue.length > 0 && queue[0].written) next = queue.shift()!.next;
    if (queue.length === 0) this.held.delete(key);
    if (next === null) return;
    this.uncommitted.set(key, next);
    void this.commitHandled();
  }

  /**
   * A deferred write failed: every slice of the partition not committed yet is read again from
   * the first one (the handler writes them again; it is idempotent by event id). Slices of an
   * older queue (already rewound, or from before a rejoin) change nothing.
   */
  private rewind(key: string, queue: HeldSlice[], error: Error): void {
    if (this.held.get(key) !== queue || queue.length === 0) return;
    this.held.delete(key);
    const { topic, partition } = queue[0].next;
    const offset = queue[0].from;
    this.logger.warn(
      `a deferred write failed (${error.message}); reading ${topic}[${partition}] again from ${offset}`,
    );
    if (!this.running) {
      // A later slice of this partition may still be handled before kafkajs stops fetching:
      // committing it would skip the failed messages.
      this.stalled.add(key);
      return;
    }
    try {
      // Applied at the next fetch; a slice in hand is stale meanwhile (onBatch drops it). A
      // partition no longer assigned ignores it: its owner reads from the last commit.
      this.consumer.seek({ topic, partition, offset });
    } catch (seekError) {
      // kafkajs is restarting the consumer: it reads every partition from its last commit.
      this.logger.warn(`could not seek ${topic}[${partition}]: ${(seekError as Error).message}`);
    }
  }

  /**
   * `commitBehind`: commits every handled offset not committed yet, one request at a time (a
   * later offset of a partition replaces an earlier one still waiting). A failed commit is
   * logged and its offsets wait for the next one: at worst the batches since the last commit
   * come again.
   */
  private commitHandled(): Promise<void> {
    this.committing ??= this.commitLoop().finally(() => (this.committing = null));
    return this.committing;
  }

  private async commitLoop(): Promise<void> {
    while (this.uncommitted.size > 0) {
      const offsets = [...this.uncommitted.values()];
      this.uncommitted.clear();
      try {
        await this.consumer.commitOffsets(offsets);
      } catch (error) {
        for (const offset of offsets) {
          const key = `${offset.topic}:${offset.partition}`;
          if (!this.uncommitted.has(key)) this.uncommitted.set(key, offset);
        }
        this.logger.warn(
          `committing offsets failed; the next batch retries: ${(error as Error).message}`,
        );
        return;
      }
    }
  }

  private async process(
    topic: string,
    partition: number,
    slice: RawMessage[],
    heartbeat: () => Promise<void>,
  ): Promise<Promise<void>[]> {
    const deferred: Promise<void>[] = [];
    const good: ConsumedEvent[] = [];
    const rawByOffset = new Map<string, RawMessage>();
    const letters: DeadLetter[] = [];
    for (const raw of slice) {
      const decoded = decodeMessage(topic, partition, raw);
      if (decoded.ok) {
        good.push(decoded.message);
        rawByOffset.set(raw.offset, raw);
      } else {
        letters.push({ topic, partition, raw, reason: decoded.reason, step: this.options.name });
      }
    }
    if (good.length > 0) {
      handlerBatchSizes.observe({ consumer: this.options.name }, good.length);
      const error = await this.attempt(good, heartbeat, deferred);
      if (error) {
        this.logger.warn(
          `batch of ${good.length} from ${topic}[${partition}] failed ${this.maxAttempts} times ` +
            `(${error.message}); isolating messages`,
        );
        for (const message of good) {
          const messageError = await this.attempt([message], heartbeat, deferred);
          if (messageError) {
            letters.push({
              topic,
              partition,
              raw: rawByOffset.get(message.offset)!,
              reason: `handler failed: ${messageError.message}`,
              step: this.options.name,
            });
          }
        }
      }
    }
    for (const letter of letters) {
      const fields = deadLetterLogFields(letter);
      this.logger.error({
        msg: `dead-lettering ${topic}[${partition}]@${letter.raw.offset}: ${fields.reason}`,
        ...fields,
      });
    }
    await sendToDeadLetter(this.producer, letters);
    return deferred;
  }

  /**
   * Runs the handler with retries; returns the last error, or null when it succeeded (adding
   * the deferred write it returned, if any, to `deferred`).
   * Infrastructure failures (database down) are retried for as long as we run: dead-lettering
   * would lose every message of the outage, while waiting loses nothing.
   */
  private async attempt(
    messages: ConsumedEvent[],
    heartbeat: () => Promise<void>,
    deferred: Promise<void>[],
  ): Promise<Error | null> {
    let lastError: Error | null = null;
    let attempt = 0;
    let transientWaits = 0;
    while (attempt < this.maxAttempts) {
      try {
        const result = await this.options.handle(messages);
        if (result) {
          // Observed by hold(); a slice dropped as stale must not leave an unhandled rejection.
          result.written.catch(() => undefined);
          deferred.push(result.written);
        }
        return null;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        if (isTransientError(lastError) && !this.running) throw new ShutdownDuringOutage(lastError);
        if (isTransientError(lastError)) {
          transientWaits++;
          if (transientWaits % 10 === 1) {
            this.logger.warn(`waiting for infrastructure: ${lastError.message}`);
          }
          await heartbeat().catch(() => undefined);
          await sleep(Math.min(5000, this.retryBackoffMs * 2 ** Math.min(transientWaits, 6)));
          continue;
        }
        attempt++;
        if (attempt < this.maxAttempts) {
          await heartbeat();
          await sleep(this.retryBackoffMs * attempt);
        }
      }
    }
    return lastError;
  }
}
