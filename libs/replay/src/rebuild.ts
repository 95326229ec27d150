import { Client } from 'pg';
import { loadConfig } from '@tracker/config';
import { createKafkaClient, ensureTopics, fetchWatermarks, TopicRangeReader } from '@tracker/kafka';
import { ident } from './sql-names';
import { openReplayDataSource, ReplayContext, ReplayDefinition } from './run-replay';

export interface RebuildOptions {
  databaseUrl: string;
  brokers: string[];
  /** The schema to build into (dropped first). */
  schema: string;
  /** Called as the load and then the index builds start (the bench splits its CPU figures there). */
  onPhase?: (phase: 'load' | 'afterBulk') => void;
}

export interface RebuildResult {
  events: number;
  loadMs: number;
  afterBulkMs: number;
}

/**
 * The rebuild half of a replay alone: the definition's topics from the beginning to their
 * current end into a fresh schema, with the definition's writer and index builds. No live
 * model, no switch: the bench measures exactly this path.
 */
export async function rebuildInto(
  definition: ReplayDefinition,
  options: RebuildOptions,
): Promise<RebuildResult> {
  const admin = new Client({ connectionString: options.databaseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${ident(options.schema)} CASCADE`);
  await admin.end();
  const kafka = createKafkaClient({ brokers: options.brokers, clientId: 'tracker-rebuild' });
  // The contract topics, as any app creates them at boot: a definition's snapshot views read
  // them even when no app has run against this broker yet (a fresh bench broker).
  await ensureTopics(kafka, loadConfig({}).kafkaTopicPartitions);
  const dataSource = await openReplayDataSource(
    options.databaseUrl,
    definition.database,
    options.schema,
  );
  const context: ReplayContext = {
    model: definition.model,
    databaseUrl: options.databaseUrl,
    liveSchema: definition.database.schema,
    replaySchema: options.schema,
    dataSource,
    kafka,
    groupPrefix: 'rebuild',
    log: () => undefined,
  };
  const sink = await definition.open(context);
  let events = 0;
  const reader = new TopicRangeReader(kafka, {
    topics: definition.topics,
    batchSize: definition.batchSize,
    concurrency: definition.concurrency,
    handle: async (messages) => {
      await sink.write(messages);
      events += messages.length;
    },
  });
  try {
    const { start, end } = await fetchWatermarks(kafka, definition.topics);
    await reader.start(start);
    options.onPhase?.('load');
    const loadStart = Date.now();
    await reader.readTo(end);
    await definition.flush?.(context);
    const loadMs = Date.now() - loadStart;
    options.onPhase?.('afterBulk');
    const afterStart = Date.now();
    await definition.afterBulk?.(context);
    return { events, loadMs, afterBulkMs: Date.now() - afterStart };
  } finally {
    await reader.stop().catch(() => undefined);
    await sink.close?.().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
  }
}
