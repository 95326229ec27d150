import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Message } from 'kafkajs';
import { Gauge, register } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { admitMessages, DeadLetter, deadLetterLogFields, sendToDeadLetter } from './dead-letter';
import { EventProducer } from './event-producer';
import { encodeSerializedEvent } from './message-codec';

/**
 * What an app tells the relay about its own outbox (SPEC section 2: each app owns its schema
 * and migrations; this library owns how rows reach Kafka). The table needs the columns
 * `seq bigserial`, `topic text`, `message_key text`, `event json|jsonb` (SQL NULL: a tombstone)
 * and `published_at timestamptz` (NULL while pending).
 */
export interface OutboxRelayOptions {
  /** The schema-qualified outbox table, e.g. `"attribution".outbox` (an identifier, not data). */
  table: string;
  /**
   * PostgreSQL advisory lock key, the same in every replica (and in the app's replay): one
   * relay at a time keeps the order per key.
   */
  lockKey: number;
  /** `dlq.step` (and the dead-letter metric's `step` label) of an oversized row, e.g. `registry.outbox`. */
  deadLetterStep: string;
  /** Rows per round: one transaction, one gathering of produce requests (split by the producer). */
  batchRows: number;
  /** How often the relay looks for rows nobody kicked it for (a failed round, another replica), in ms. */
  pollMs: number;
  /** How often rows published more than a day ago are deleted, in ms. */
  pruneIntervalMs: number;
  /**
   * `skip`: a round whose lock another session holds publishes nothing (the holder or the next
   * poll does). `wait`: it waits for the lock, so a kick after a commit is published at once
   * even while another replica's round runs.
   */
  lockWait: 'skip' | 'wait';
  /** Publish what the last work committed on shutdown (unless paused), rather than at the next start. */
  drainOnShutdown: boolean;
  /**
   * What becomes of a published row. `mark` (default): `published_at` is set and the row kept a
   * day for inspection (a re-enqueue of its event id stays a no-op meanwhile). `delete`: the row
   * goes at once; the topic holds the event, and marking copied every event into a new row
   * version with all its index entries (about a tenth of attribution's database time under B6).
   * Only for outboxes whose writer never enqueues an event id twice.
   */
  published?: 'mark' | 'delete';
  /** Logger context (default `OutboxRelay`). */
  logContext?: string;
}

/** A row a round acknowledged and marked (its event's `type`, null for a tombstone). */
export interface PublishedOutboxRow {
  seq: string;
  topic: string;
  key: string;
  type: string | null;
}

interface PendingRow extends PublishedOutboxRow {
  /** The event's JSON as stored (checked against the contract when it was enqueued); null: tombstone. */
  json: string | null;
  version: string | null;
}

/** The relay lock was not granted within the caller's budget (another round holds it). */
export class OutboxLockTimeoutError extends Error {
  constructor(waitMs: number) {
    super(`the outbox relay lock was not granted within ${waitMs} ms`);
    this.name = 'OutboxLockTimeoutError';
  }
}

/**
 * An in-transaction publish the broker did not acknowledge: `timedOut` past the caller's
 * deadline, else the producer refused it (`refusal`, e.g. a MessageTooLargeError).
 */
export class OutboxNotAcknowledgedError extends Error {
  constructor(
    readonly timedOut: boolean,
    message: string,
    readonly refusal?: Error,
  ) {
    super(message);
    this.name = 'OutboxNotAcknowledgedError';
  }
}

const PRUNE_AFTER = `interval '1 day'`;

const relayUp =
  (register.getSingleMetric('tracker_outbox_relay_up') as Gauge | undefined) ??
  new Gauge({
    name: 'tracker_outbox_relay_up',
    help: '1 while an outbox relay publishes, 0 while its rounds fail (it retries by itself)',
    labelNames: ['relay'],
  });

/** Every relay of this process, for readiness (see outboxRelayProblems). */
const relays = new Set<OutboxRelay>();

/**
 * `<step>: <reason>` of each relay of this process whose last round failed (it keeps retrying;
 * SPEC section 9: a component that cannot run says why in `/health/ready`). Empty when all
 * publish; null when the process has no relay.
 */
export function outboxRelayProblems(): string[] | null {
  if (relays.size === 0) return null;
  return [...relays]
    .filter((relay) => relay.health !== null)
    .map((relay) => `${relay.name}: ${relay.health}`);
}
const QUALIFIED_TABLE = /^("[^"]+"|[a-z_][a-z0-9_]*)\.("[^"]+"|[a-z_][a-z0-9_]*)$/;

/**
 * The transactional outbox relay (SPEC section 9: nothing is lost, order per key holds, sizes
 * stay within what the broker accepts). Each round, in one transaction: take the advisory lock,
 * read the oldest pending rows in `seq` order, publish them (acks=all; the producer splits them
 * into requests the broker accepts, in order), dead-letter a row above the broker's limit instead
 * of retrying it forever, and mark them published. A failed round rolls back and the poll retries
 * it; a crash between the acknowledgement and the commit re-sends those rows (consumers are
 * idempotent), never loses one. It runs at start-up (what a crash left), on `kick()` after a
 * commit, and every `pollMs`.
 */
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  /** How long `publishAndWait` waits for the acknowledgement before answering anyway, in ms. */
  ackTimeoutMs = 10_000;
  private readonly logger: Logger;
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly publishedListeners: Array<() => void> = [];
  private draining: Promise<void> | null = null;
  private again = false;
  private paused = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private lastPrune = Date.now();
  /** Null while rounds succeed; else why the last one failed (the poll retries). */
  private problem: string | null = null;

  /** @throws Error when `options.table` is not a schema-qualified identifier. */
  constructor(
    private readonly producer: EventProducer,
    private readonly dataSource: DataSource,
    private readonly options: OutboxRelayOptions,
  ) {
    if (!QUALIFIED_TABLE.test(options.table)) {
      throw new Error(`outbox table must be schema.table, got ${options.table}`);
    }
    this.logger = new Logger(options.logContext ?? OutboxRelay.name);
    relays.add(this);
    relayUp.set({ relay: options.deadLetterStep }, 1);
  }

  /** The relay's name in health and metrics: its dead-letter step, e.g. `attribution.outbox`. */
  get name(): string {
    return this.options.deadLetterStep;
  }

  /** Null while it publishes; else why its last round failed (it retries every poll). */
  get health(): string | null {
    return this.problem;
  }

  /** The advisory lock key every round (and `lockWithin`) takes. */
  get lockKey(): number {
    return this.options.lockKey;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.onPoll(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    relays.delete(this);
    // Without the final drain, a running drain also stops after its current round.
    if (!this.options.drainOnShutdown) this.paused = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.draining;
    if (this.options.drainOnShutdown && !this.paused) await this.drain();
  }

  /** Publishes pending rows soon; calls while a round runs fold into one more drain. */
  kick(): void {
    if (this.paused || this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /**
   * Stops publishing, as a crash between commit and publish would (ops and tests): committed
   * rows stay pending and this process publishes none any more, also not on shutdown.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.draining;
  }

  /** Calls `listener` after every round that published rows (after its commit). */
  onPublished(listener: () => void): void {
    this.publishedListeners.push(listener);
  }

  /** Rows not yet published (readiness checks and tests). */
  async pendingCount(): Promise<number> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM ${this.options.table} WHERE published_at IS NULL`,
    );
    return (row as { n: number }).n;
  }

  /**
   * Kicks a round and resolves true once every row of `seqs` is published (by this replica or
   * another), or false after `ackTimeoutMs` or while paused (the rows are committed either way;
   * the relay keeps retrying).
   */
  async publishAndWait(seqs: string[]): Promise<boolean> {
    if (seqs.length === 0) return true;
    if (this.paused || this.stopped) return false;
    const published = Promise.all(
      seqs.map(
        (seq) =>
          new Promise<void>((resolve) => {
            const set = this.waiters.get(seq) ?? new Set();
            set.add(resolve);
            this.waiters.set(seq, set);
          }),
      ),
    );
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.ackTimeoutMs);
    });
    try {
      return await Promise.race([published.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Takes the relay lock in the caller's transaction, waiting at most `waitMs` (lock_timeout):
   * while the broker is down a round holds it for the whole outage, so the wait must be bounded.
   * No round publishes until that transaction ends.
   * @throws OutboxLockTimeoutError when not granted in time (the transaction is then aborted).
   */
  async lockWithin(manager: EntityManager, waitMs: number): Promise<void> {
    const [{ previous }] = await manager.query(
      `SELECT current_setting('lock_timeout') AS previous`,
    );
    const wait = Math.max(1, Math.ceil(waitMs));
    await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [`${wait}ms`]);
    try {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [this.options.lockKey]);
    } catch (error) {
      if ((error as { code?: string }).code === '55P03') throw new OutboxLockTimeoutError(wait);
      throw error;
    }
    await manager.query(`SELECT set_config('lock_timeout', $1, true)`, [previous]);
  }

  /**
   * In the caller's transaction, which holds the lock (`lockWithin`): publishes every pending row
   * of the (topic, key)s of `seqs` up to the newest of them, in `seq` order (an older row never
   * lands after a newer one of its key), and marks them published, so the change commits only
   * once its rows are acknowledged (acks=all). No dead-lettering here: an oversized row rejects.
   * @param deadline epoch ms by which the broker must have acknowledged.
   * @returns the rows published.
   * @throws OutboxNotAcknowledgedError past the deadline or when the producer refuses (nothing
   *   is marked); a database error as it comes.
   */
  async publishKeysInTransaction(
    manager: EntityManager,
    seqs: string[],
    deadline: number,
  ): Promise<number> {
    if (seqs.length === 0) return 0;
    const table = this.options.table;
    const rows = await this.readPending(
      manager,
      `published_at IS NULL
         AND seq <= (SELECT max(seq) FROM ${table} WHERE seq = ANY($1::bigint[]))
         AND (topic, message_key) IN
           (SELECT topic, message_key FROM ${table} WHERE seq = ANY($1::bigint[]))`,
      [seqs],
    );
    const timeoutMs = Math.max(0, deadline - Date.now());
    await withDeadline(
      Promise.all([...groupByTopic(rows)].map(([topic, list]) => this.producer.send(topic, list))),
      timeoutMs,
    );
    await this.markPublished(manager, rows);
    return rows.length;
  }

  private onPoll(): void {
    this.kick();
    if (this.paused || Date.now() - this.lastPrune < this.options.pruneIntervalMs) return;
    this.lastPrune = Date.now();
    // Published rows are kept a day for inspection, then dropped.
    this.dataSource
      .query(`DELETE FROM ${this.options.table} WHERE published_at < now() - ${PRUNE_AFTER}`)
      .catch((error: Error) => this.logger.warn(`outbox prune failed: ${error.message}`));
  }

  private async drain(): Promise<void> {
    try {
      while (!this.paused && (await this.publishBatch()) === this.options.batchRows) {
        // a full round: more rows may be pending
      }
      await this.settleForeignWaiters();
      this.setProblem(null);
    } catch (error) {
      // The poll retries; rows stay pending, so nothing is lost.
      this.logger.warn(`outbox relay failed, retrying: ${(error as Error).message}`);
      this.setProblem(`failing (${relayFailure(error as Error)}); retrying`);
    }
  }

  private setProblem(problem: string | null): void {
    this.problem = problem;
    relayUp.set({ relay: this.options.deadLetterStep }, problem === null ? 1 : 0);
  }

  /** One round in one transaction: lock, read in order, publish (acks=all), mark or delete. */
  private async publishBatch(): Promise<number> {
    const published = await this.runRound();
    for (const row of published) this.settle(row.seq);
    if (published.length > 0) for (const listener of this.publishedListeners) listener();
    return published.length;
  }

  private runRound(): Promise<PublishedOutboxRow[]> {
    const { lockKey, lockWait, batchRows, deadLetterStep } = this.options;
    return this.dataSource.transaction(async (manager) => {
      if (lockWait === 'wait') {
        await manager.query('SELECT pg_advisory_xact_lock($1)', [lockKey]);
      } else {
        const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [
          lockKey,
        ]);
        if (!locked) return [];
      }
      const rows = await this.readPending(manager, 'published_at IS NULL', [], batchRows);
      if (rows.length === 0 || this.paused) return [];
      // Keys never span topics, so topics go in parallel; each keeps `seq` order (the producer
      // splits a topic's rows into requests the broker accepts, in order). A row above the
      // broker's limit is dead-lettered rather than retried forever ahead of the others.
      const letters: DeadLetter[] = [];
      await Promise.all(
        [...groupByTopic(rows)].map(([topic, messages]) => {
          const admitted = admitMessages(topic, messages, deadLetterStep);
          letters.push(...admitted.letters);
          return this.producer.send(topic, admitted.admitted);
        }),
      );
      await sendToDeadLetter(this.producer, letters);
      for (const letter of letters) {
        this.logger.error({ msg: 'outbox row dead-lettered', ...deadLetterLogFields(letter) });
      }
      await this.markPublished(manager, rows);
      return rows.map(({ seq, topic, key, type }) => ({ seq, topic, key, type }));
    });
  }

  /**
   * The stored JSON goes out as it is: the writer checked it against the contract before
   * enqueueing it, so parsing, re-checking and re-serialising it here would be repeated work.
   */
  private readPending(
    manager: EntityManager,
    where: string,
    params: unknown[],
    limit?: number,
  ): Promise<PendingRow[]> {
    return manager.query(
      // `seq` stays a bigint here (pg hands it over as a string): ORDER BY must not sort text.
      `SELECT seq, topic, message_key AS key, event::text AS json,
              event->>'type' AS type, event->>'version' AS version
         FROM ${this.options.table}
        WHERE ${where}
        ORDER BY seq${limit === undefined ? '' : ` LIMIT ${Math.floor(limit)}`}`,
      params,
    );
  }

  private async markPublished(manager: EntityManager, rows: PendingRow[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      this.options.published === 'delete'
        ? `DELETE FROM ${this.options.table} WHERE seq = ANY($1::bigint[])`
        : `UPDATE ${this.options.table} SET published_at = now() WHERE seq = ANY($1::bigint[])`,
      [rows.map((row) => row.seq)],
    );
  }

  /** Rows another replica's relay published: their waiters here must not time out. */
  private async settleForeignWaiters(): Promise<void> {
    if (this.waiters.size === 0) return;
    const waited = [...this.waiters.keys()];
    const rows: Array<{ seq: string; published: boolean }> = await this.dataSource.query(
      `SELECT seq::text AS seq, published_at IS NOT NULL AS published FROM ${this.options.table}
        WHERE seq = ANY($1::bigint[])`,
      [waited],
    );
    // A row that is gone was published and deleted (or pruned).
    const pending = new Set(rows.filter((row) => !row.published).map((row) => row.seq));
    for (const seq of waited) if (!pending.has(seq)) this.settle(seq);
  }

  private settle(seq: string): void {
    for (const resolve of this.waiters.get(seq) ?? []) resolve();
    this.waiters.delete(seq);
  }
}

/** A short, parameter-free reason for readiness (never a query or its values). */
function relayFailure(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (error.name === 'KafkaJSNumberOfRetriesExceeded' || /kafka/i.test(error.name)) {
    return 'Kafka does not acknowledge';
  }
  if (typeof code === 'string' && /^(08|57P|53)/.test(code)) return 'PostgreSQL unreachable';
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `PostgreSQL error ${code}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection terminated/i.test(error.message)
    ? 'connection lost'
    : error.name;
}

/** Messages per topic in `seq` order; a SQL NULL event (or JSON null) is a tombstone. */
function groupByTopic(rows: PendingRow[]): Map<string, Message[]> {
  const byTopic = new Map<string, Message[]>();
  for (const row of rows) {
    const list = byTopic.get(row.topic) ?? [];
    list.push(
      row.json === null || row.json === 'null'
        ? { key: row.key, value: null }
        : encodeSerializedEvent(
            row.json,
            { type: row.type ?? '', version: row.version ?? '' },
            row.key,
          ),
    );
    byTopic.set(row.topic, list);
  }
  return byTopic;
}

/** Rejects with OutboxNotAcknowledgedError once `timeoutMs` passes or `work` rejects. */
async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new OutboxNotAcknowledgedError(true, `Kafka did not acknowledge within ${timeoutMs} ms`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      work.catch((error: Error) => {
        throw new OutboxNotAcknowledgedError(false, `Kafka refused: ${error.message}`, error);
      }),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
