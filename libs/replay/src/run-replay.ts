import { hostname } from 'node:os';
import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppDatabaseOptions, dataSourceOptions, ensureSchema } from '@tracker/database';
import {
  ConsumedEvent,
  createKafkaClient,
  fetchWatermarks,
  OffsetMap,
  TopicRangeReader,
} from '@tracker/kafka';
import { compareSchemas, ComparedTable, describeComparison, TableComparison } from './consistency';
import { Queryable, replayLockKey, ReplayModel, switchLockKey } from './model-lock';
import { ProgressBar, ProgressStream } from './progress-bar';
import { ident, oldSchemaOf, replaySchemaOf } from './sql-names';

export interface ReplayContext {
  model: ReplayModel;
  databaseUrl: string;
  liveSchema: string;
  replaySchema: string;
  /** The rebuilt model's data source (schema `replaySchema`, migrated, not yet switched). */
  dataSource: DataSource;
  kafka: ReturnType<typeof createKafkaClient>;
  groupPrefix: string;
  log(line: string): void;
}

/** How far the live model has applied its topics; `active` while a consumer is running. */
export interface LivePosition {
  offsets: OffsetMap;
  active: boolean;
}

export interface ReplaySink {
  write(messages: ConsumedEvent[]): Promise<void>;
  /** Releases what `open` started (e.g. a snapshot view's consumer). */
  close?(): Promise<void>;
}

/** What an app tells the replay about its model; the replay does the rest. */
export interface ReplayDefinition {
  model: ReplayModel;
  /** The app's own database options: the live schema, its migrations and entities. */
  database: AppDatabaseOptions;
  topics: string[];
  batchSize?: number;
  /** Partitions written in parallel (only where the live consumer does so too). */
  concurrency?: number;
  compare: ComparedTable[];
  /** Opens the writer over the rebuilt tables (the same code the live consumer runs). */
  open(context: ReplayContext): Promise<ReplaySink>;
  /** After each read phase: writes what the sink keeps in memory (e.g. the registry's snapshots). */
  flush?(context: ReplayContext): Promise<void>;
  /** After the bulk read, before catching up: e.g. builds indexes deferred by `open`. */
  afterBulk?(context: ReplayContext): Promise<void>;
  livePosition(context: ReplayContext): Promise<LivePosition>;
  /** Under the switch lock, before positions are read: e.g. waits for the outbox to drain. */
  quiesce?(context: ReplayContext, locked: Queryable): Promise<void>;
  /** Under the switch lock, after the check: carries bookkeeping over to the rebuilt tables. */
  beforeSwitch?(context: ReplayContext, locked: Queryable): Promise<void>;
}

export interface ReplayOptions {
  databaseUrl: string;
  brokers: string[];
  /** KAFKA_GROUP_PREFIX of the live app: its consumer groups tell how far the live model is. */
  groupPrefix: string;
  /** Where to start per partition; the beginning of each topic where absent (the default). */
  from?: OffsetMap;
  /** Events the rebuilt model takes; tests on shared topics narrow it to their own tenants. */
  accept?: (message: ConsumedEvent) => boolean;
  progress?: ProgressStream;
  out?: (line: string) => void;
  /** How long to wait for a lagging live consumer to reach the replay before giving up. */
  chaseTimeoutMs?: number;
}

export interface ReplayResult {
  events: number;
  bulkEvents: number;
  bulkMs: number;
  durationMs: number;
  oldSchema: string;
  comparison: TableComparison[];
}

/** Another replay of the same model holds the replay lock. */
export class ReplayRefusedError extends Error {
  override name = 'ReplayRefusedError';
}

/** The rebuilt model differs from the live one; nothing was switched. */
export class ReplayInconsistentError extends Error {
  override name = 'ReplayInconsistentError';
  constructor(
    message: string,
    readonly comparison: TableComparison[],
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function remaining(from: OffsetMap, to: OffsetMap): number {
  let sum = 0n;
  for (const [key, end] of to) {
    const start = from.get(key) ?? 0n;
    if (end > start) sum += end - start;
  }
  return Number(sum);
}

function sameOffsets(a: OffsetMap, b: OffsetMap): boolean {
  return a.size === b.size && [...a].every(([key, offset]) => b.get(key) === offset);
}

async function holderOf(guard: Client, model: ReplayModel): Promise<string> {
  const { classId, objectId } = replayLockKey(model);
  const { rows } = await guard.query<{ pid: number; application_name: string; since: string }>(
    `SELECT a.pid, a.application_name, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.objsubid = 2
        AND l.granted`,
    [classId, objectId],
  );
  const holder = rows[0];
  if (!holder) return 'it just finished; try again';
  const process = /pid=(\d+)@(\S+)/.exec(holder.application_name);
  return process
    ? `pid ${process[1]} on ${process[2]}, since ${holder.since}`
    : `database backend pid ${holder.pid}, since ${holder.since}`;
}

/** The rebuilt schema's data source: migrations of the app, asynchronous commits (re-runnable). */
export async function openReplayDataSource(
  databaseUrl: string,
  database: AppDatabaseOptions,
  schema: string,
): Promise<DataSource> {
  await ensureSchema(databaseUrl, schema);
  const base = dataSourceOptions(databaseUrl, {
    ...database,
    name: `${database.name}-replay`,
    schema,
    poolSize: 4,
  });
  const options = {
    ...base,
    // A crash loses nothing a rerun would not rebuild; the switch itself commits synchronously.
    // The live pool's client too (base.extra): the replay stores exactly what live stores.
    extra: { ...(base.extra as object), max: 4, options: '-c synchronous_commit=off' },
  } as DataSourceOptions;
  const dataSource = new DataSource(options);
  await dataSource.initialize();
  await dataSource.runMigrations();
  return dataSource;
}

/**
 * Rebuilds a read model from its topics into `<schema>__replay` with the app's own writer,
 * catches up with the live model under its switch lock, checks both are equal and renames
 * the schemas in one transaction. The live API keeps reading the old tables until then.
 */
export async function runReplay(
  definition: ReplayDefinition,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const started = Date.now();
  const { model } = definition;
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const liveSchema = definition.database.schema;
  const replaySchema = replaySchemaOf(liveSchema);
  const guard = new Client({
    connectionString: options.databaseUrl,
    application_name: `tracker-replay:${model}:pid=${process.pid}@${hostname()}`.slice(0, 63),
  });
  await guard.connect();
  const replayLock = replayLockKey(model);
  try {
    const { rows } = await guard.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      [replayLock.classId, replayLock.objectId],
    );
    if (!rows[0].locked) {
      throw new ReplayRefusedError(
        `a replay of ${model} is already running (${await holderOf(guard, model)}); refusing to start another`,
      );
    }
    const exists = await guard.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [liveSchema]);
    if (exists.rowCount === 0) {
      throw new Error(
        `schema ${liveSchema} does not exist: start the ${model} app once so it creates its tables`,
      );
    }
    await guard.query(`DROP SCHEMA IF EXISTS ${ident(replaySchema)} CASCADE`);
    return await rebuildAndSwitch(definition, options, {
      started,
      out,
      liveSchema,
      replaySchema,
    });
  } finally {
    await guard
      .query('SELECT pg_advisory_unlock($1, $2)', [replayLock.classId, replayLock.objectId])
      .catch(() => undefined);
    await guard.end().catch(() => undefined);
  }
}

async function rebuildAndSwitch(
  definition: ReplayDefinition,
  options: ReplayOptions,
  run: { started: number; out: (line: string) => void; liveSchema: string; replaySchema: string },
): Promise<ReplayResult> {
  const { model } = definition;
  const { out, liveSchema, replaySchema } = run;
  const bar = new ProgressBar(`replay ${model}`, options.progress);
  const kafka = createKafkaClient({
    brokers: options.brokers,
    clientId: `tracker-replay-${model}`,
  });
  const dataSource = await openReplayDataSource(
    options.databaseUrl,
    definition.database,
    replaySchema,
  );
  const context: ReplayContext = {
    model,
    databaseUrl: options.databaseUrl,
    liveSchema,
    replaySchema,
    dataSource,
    kafka,
    groupPrefix: options.groupPrefix,
    log: out,
  };
  let events = 0;
  let undecodable = 0;
  const sink = await definition.open(context);
  const reader = new TopicRangeReader(kafka, {
    topics: definition.topics,
    batchSize: definition.batchSize,
    concurrency: definition.concurrency,
    handle: async (messages) => {
      const accepted = options.accept ? messages.filter(options.accept) : messages;
      if (accepted.length > 0) await sink.write(accepted);
      events += messages.length;
      bar.add(messages.length);
    },
    // The live consumer dead-letters these; the rebuilt model skips them the same way.
    onUndecodable: () => undecodable++,
  });
  try {
    const { start: low, end: high } = await fetchWatermarks(kafka, definition.topics);
    const from: OffsetMap = new Map(
      [...high.keys()].map((key) => [key, options.from?.get(key) ?? low.get(key) ?? 0n]),
    );
    const atMost = (a: OffsetMap, b: OffsetMap): OffsetMap =>
      new Map(
        [...a].map(([key, offset]) => [key, offset < (b.get(key) ?? 0n) ? offset : b.get(key)!]),
      );
    const atLeast = (a: OffsetMap, b: OffsetMap): OffsetMap =>
      new Map(
        [...a].map(([key, offset]) => [key, offset > (b.get(key) ?? 0n) ? offset : b.get(key)!]),
      );

    // A stopped live model stays where it is: rebuild exactly that far, not to the topic's end.
    const initial = await definition.livePosition(context);
    if (!initial.active) {
      out(
        `replay ${model}: the live ${model} consumer is not running; rebuilding up to where it stopped`,
      );
    }
    const bulkTarget = initial.active
      ? high
      : atLeast(atMost(fillFrom(initial.offsets, from), high), from);
    await reader.start(from);
    const bulkStart = Date.now();
    bar.start('rebuilding', remaining(from, bulkTarget));
    await reader.readTo(bulkTarget);
    await definition.flush?.(context);
    bar.finish();
    const bulkEvents = events;
    if (definition.afterBulk) {
      await bar.step('building indexes', () => definition.afterBulk!(context));
    }
    const bulkMs = Date.now() - bulkStart;

    // Let a lagging live consumer reach the replay, then read what it applied meanwhile.
    const deadline = Date.now() + (options.chaseTimeoutMs ?? 120_000);
    let live = await definition.livePosition(context);
    while (behind(reader.position, fillFrom(live.offsets, from)) > 0) {
      if (!live.active || Date.now() > deadline) {
        throw new Error(
          `the live ${model} model is ${fmt(behind(reader.position, fillFrom(live.offsets, from)))} ` +
            `events behind the replay and ${live.active ? 'not catching up' : 'not running'}; retry later`,
        );
      }
      await sleep(200);
      live = await definition.livePosition(context);
    }
    const preLock = atLeast(fillFrom(live.offsets, from), reader.position);
    bar.start('catching up', remaining(reader.position, preLock));
    await reader.readTo(preLock);
    await definition.flush?.(context);
    bar.finish();

    const locked = new Client({
      connectionString: options.databaseUrl,
      application_name: `tracker-replay:${model}:switch`,
    });
    await locked.connect();
    try {
      await locked.query('BEGIN');
      const lock = switchLockKey(model);
      await locked.query('SELECT pg_advisory_xact_lock($1, $2)', [lock.classId, lock.objectId]);
      const lockedAt = Date.now();
      if (definition.quiesce) await definition.quiesce(context, locked);
      const frozen = fillFrom(await settledPosition(definition, context), from);
      const ahead = behind(reader.position, frozen);
      if (ahead > 0) {
        throw new Error(
          `the replay is ${fmt(ahead)} events ahead of the live ${model} model; retry`,
        );
      }
      bar.start('catching up (live writes paused)', remaining(reader.position, frozen));
      await reader.readTo(atLeast(frozen, reader.position));
      await definition.flush?.(context);
      bar.finish();
      const comparison = await bar.step('checking consistency', () =>
        compareSchemas(locked, liveSchema, replaySchema, definition.compare),
      );
      const summary = describeComparison(comparison);
      if (!comparison.every((table) => table.equal)) {
        throw new ReplayInconsistentError(
          `replay ${model}: the rebuilt model differs from the live one, nothing switched: ${summary}. ` +
            `The rebuilt tables stay in schema ${replaySchema} for inspection (the next replay drops them).`,
          comparison,
        );
      }
      out(`replay ${model}: consistency check passed: ${summary}`);
      if (definition.beforeSwitch) await definition.beforeSwitch(context, locked);
      const oldSchema = oldSchemaOf(liveSchema, new Date());
      await locked.query(`ALTER SCHEMA ${ident(liveSchema)} RENAME TO ${ident(oldSchema)}`);
      await locked.query(`ALTER SCHEMA ${ident(replaySchema)} RENAME TO ${ident(liveSchema)}`);
      await locked.query('COMMIT');
      const pausedMs = Date.now() - lockedAt;
      const dropped = await dropOlderSchemas(locked, liveSchema, oldSchema);
      const durationMs = Date.now() - run.started;
      out(
        `replay ${model}: ${fmt(events)} events in ${seconds(durationMs)} ` +
          `(bulk ${fmt(bulkEvents)} in ${seconds(bulkMs)}, ${fmt((bulkEvents * 1000) / Math.max(1, bulkMs))} events/s; ` +
          `live writes paused ${seconds(pausedMs)}${undecodable ? `; ${fmt(undecodable)} undecodable skipped` : ''})`,
      );
      out(
        `replay ${model}: switched: schema ${liveSchema} now holds the rebuilt tables; the previous ones ` +
          `are kept in ${oldSchema} for rollback (drop with: DROP SCHEMA "${oldSchema}" CASCADE)` +
          (dropped.length ? `; dropped older ${dropped.join(', ')}` : ''),
      );
      return { events, bulkEvents, bulkMs, durationMs, oldSchema, comparison };
    } catch (error) {
      await locked.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await locked.end().catch(() => undefined);
    }
  } finally {
    await reader.stop().catch(() => undefined);
    await sink.close?.().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
  }
}

/** Positions default to where the replay started (a partition the live model never touched). */
function fillFrom(offsets: OffsetMap, from: OffsetMap): OffsetMap {
  return new Map([...from].map(([key, start]) => [key, offsets.get(key) ?? start]));
}

/** Events the replay has read beyond `live` (0 when the live model is at or past it). */
function behind(replay: OffsetMap, live: OffsetMap): number {
  let sum = 0n;
  for (const [key, position] of replay) {
    const at = live.get(key) ?? 0n;
    if (position > at) sum += position - at;
  }
  return Number(sum);
}

/**
 * Under the switch lock no live transaction commits, but a consumer may still be committing
 * the offsets of its last transaction: read until two looks agree.
 */
async function settledPosition(
  definition: ReplayDefinition,
  context: ReplayContext,
): Promise<OffsetMap> {
  let last = (await definition.livePosition(context)).offsets;
  for (let look = 0; look < 20; look++) {
    await sleep(150);
    const next = (await definition.livePosition(context)).offsets;
    if (sameOffsets(last, next)) return next;
    last = next;
  }
  return last;
}

/** Keeps the newest rollback schema only. */
async function dropOlderSchemas(db: Client, liveSchema: string, keep: string): Promise<string[]> {
  const prefix = `${liveSchema}__old_`;
  const { rows } = await db.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE left(nspname, $2) = $1 AND nspname <> $3`,
    [prefix, prefix.length, keep],
  );
  for (const { name } of rows) await db.query(`DROP SCHEMA ${ident(name)} CASCADE`);
  return rows.map((row) => row.name);
}
