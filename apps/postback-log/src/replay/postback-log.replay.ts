import { Topics } from '@tracker/contracts';
import {
  buildIndexes,
  consumerGroupPosition,
  dropSecondaryIndexes,
  ReplayDefinition,
  SnapshotView,
  WriteBehind,
} from '@tracker/replay';
import { POSTBACK_LOG_DATABASE } from '../postback-log.database';
import { POSTBACK_LOG_TOPICS } from '../projection/postback-log.projection';
import { PostbackLogWriter } from '../projection/postback-log.writer';

const LOG_TABLE = 'postback_logs';

/**
 * The postback log rebuilt from tracker.postbacks.v1 and tracker.postback-outcomes.v1 with the
 * live writer, into a table without secondary indexes (built once at the end: far cheaper
 * than maintaining the trigram index row by row).
 */
export function postbackLogReplay(topics: string[] = POSTBACK_LOG_TOPICS): ReplayDefinition {
  let indexes: string[] = [];
  // Batches commute (rows merge by id), so the reader decodes on while two are being written.
  const writes = new WriteBehind(2);
  return {
    model: 'postback-log',
    database: POSTBACK_LOG_DATABASE,
    topics,
    batchSize: 5000,
    // integration_name is the name known when a row was projected (the API shows the current one).
    compare: [
      {
        table: LOG_TABLE,
        key: 'id',
        columns: [
          'id',
          'account_id',
          'integration_id',
          'received_at',
          'event',
          'click_id',
          'method',
          'url',
          'params',
          'search_text',
          'status',
          'error_code',
          'error',
          'conversion',
          'outcome_at',
          'outcome_id',
        ],
      },
    ],
    async open(context) {
      indexes = await dropSecondaryIndexes(context.dataSource, context.replaySchema, LOG_TABLE);
      // Nothing to vacuum in a table that only receives inserts until afterBulk's ANALYZE, and
      // a vacuum of a growing million-row table would take a core from the load.
      await context.dataSource.query(
        `ALTER TABLE "${context.replaySchema}".${LOG_TABLE} SET (autovacuum_enabled = false)`,
      );
      // A deleted integration keeps the last name it had on the topic.
      const view = await new SnapshotView<string>(context.kafka, {
        topic: Topics.Integrations,
        toValue: (m) => (m.event?.type === 'IntegrationChanged' ? m.event.payload.name : null),
        keepDeleted: true,
      }).start();
      const writer = new PostbackLogWriter(context.dataSource, (id) => view.get(id), {
        schema: context.replaySchema,
        switchLock: false,
        copyNewPostbacks: true,
      });
      // Ids already looked for once: only a new one is worth another catch-up.
      const missed = new Set<string>();
      return {
        write: async (messages) => {
          let unknown = false;
          for (const { event } of messages) {
            if (event?.type !== 'PostbackReceived' || view.get(event.integrationId) !== undefined)
              continue;
            if (!missed.has(event.integrationId)) unknown = true;
            missed.add(event.integrationId);
          }
          if (unknown) await view.refresh(true);
          await writes.add(() => writer.write(messages.map((message) => message.event)));
        },
        close: () => view.stop(),
      };
    },
    flush: () => writes.drain(),
    async afterBulk(context) {
      await buildIndexes(context.databaseUrl, indexes);
      await context.dataSource.query(`ANALYZE "${context.replaySchema}".${LOG_TABLE}`);
      await context.dataSource.query(
        `ALTER TABLE "${context.replaySchema}".${LOG_TABLE} RESET (autovacuum_enabled)`,
      );
    },
    livePosition: (context) => consumerGroupPosition(context, 'postback-log.projection', topics),
  };
}
