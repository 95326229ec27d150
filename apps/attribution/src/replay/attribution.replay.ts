import { IntegrationChangedPayload, Topics } from '@tracker/contracts';
import {
  consumerGroupPosition,
  Queryable,
  queryRows,
  ReplayContext,
  ReplayDefinition,
  SnapshotView,
} from '@tracker/replay';
import { CreateAttribution1764100000000 } from '../migrations/1764100000000-CreateAttribution';
import { PostbackReversals1764400000000 } from '../migrations/1764400000000-PostbackReversals';
import { RELAY_LOCK } from '../outbox/outbox.relay';
import { ATTRIBUTION_GROUP, ATTRIBUTION_TOPICS } from '../projection/attribution.projection';
import { AttributionWriter } from '../projection/attribution.writer';
import { ATTRIBUTION_DB, ATTRIBUTION_SCHEMA, tablesOf } from '../shared/schema';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the switch waits for the live relay to publish what the live model enqueued. */
const OUTBOX_DRAIN_MS = 15_000;

async function pendingCount(locked: Queryable, schema: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    locked,
    `SELECT count(*)::int AS n FROM ${tablesOf(schema).outbox} WHERE published_at IS NULL`,
  );
  return row.n;
}

/**
 * Outbox rows the live relay has not published (it is not running) move to the rebuilt outbox
 * as unpublished, so they go out after the switch; the relay lock keeps a relay from
 * publishing them meanwhile.
 */
async function carryOverUnpublished(context: ReplayContext, locked: Queryable): Promise<void> {
  const live = tablesOf(context.liveSchema).outbox;
  const rebuilt = tablesOf(context.replaySchema).outbox;
  await locked.query('SELECT pg_advisory_xact_lock($1)', [RELAY_LOCK]);
  await locked.query(
    `DELETE FROM ${rebuilt} r USING ${live} l WHERE l.event_id = r.event_id AND l.published_at IS NULL`,
  );
  await locked.query(
    `INSERT INTO ${rebuilt} (event_id, topic, message_key, event, created_at)
     SELECT event_id, topic, message_key, event, created_at FROM ${live}
      WHERE published_at IS NULL ORDER BY seq`,
  );
}

/**
 * Clicks and judged postbacks rebuilt from tracker.clicks.v1 and tracker.postbacks.v1 with the
 * live writer. Outcomes it derives carry the deterministic ids the live model published, so
 * they are written as published: subscribers never see them twice.
 */
export function attributionReplay(): ReplayDefinition {
  return {
    model: 'attribution',
    database: {
      name: ATTRIBUTION_DB,
      schema: ATTRIBUTION_SCHEMA,
      entities: [],
      migrations: [CreateAttribution1764100000000, PostbackReversals1764400000000],
    },
    topics: ATTRIBUTION_TOPICS,
    batchSize: 500,
    // judged_at is the decision time; outbox rows are pruned a day after publishing.
    compare: [
      {
        table: 'clicks',
        key: 'click_id',
        columns: [
          'click_id',
          'event_id',
          'account_id',
          'integration_id',
          'link_id',
          'campaign',
          'source',
          'subscriber_id',
          'params',
          'user_agent',
          'remote_address',
          'created_at',
          'fields',
          'field_times',
        ],
      },
      {
        table: 'postbacks',
        key: 'postback_id',
        columns: [
          'postback_id',
          'account_id',
          'integration_id',
          'click_id',
          'event',
          'kind',
          'status',
          'error_code',
          'error',
          'amount',
          'currency',
          'tid',
          'params_hash',
          'fields',
          'stage',
          'ordinal',
          'received_at',
        ],
      },
    ],
    async open(context) {
      // What the live IntegrationDirectory answers: current snapshots, deleted ones gone.
      const integrations = await new SnapshotView<IntegrationChangedPayload>(context.kafka, {
        topic: Topics.Integrations,
        toValue: (m) => (m.event?.type === 'IntegrationChanged' ? m.event.payload : null),
      }).start();
      const writer = new AttributionWriter(
        context.dataSource,
        async (id) => {
          if (integrations.get(id) === undefined) await integrations.refresh();
          return integrations.get(id);
        },
        { tables: tablesOf(context.replaySchema), switchLock: false, outboxPublished: true },
      );
      return {
        write: async (messages) => {
          await writer.write(messages);
        },
        close: () => integrations.stop(),
      };
    },
    livePosition: (context) =>
      consumerGroupPosition(context, ATTRIBUTION_GROUP, ATTRIBUTION_TOPICS),
    async quiesce(context, locked) {
      // Live writes are paused: let the relay publish what they enqueued.
      const deadline = Date.now() + OUTBOX_DRAIN_MS;
      while ((await pendingCount(locked, context.liveSchema)) > 0 && Date.now() < deadline) {
        await sleep(100);
      }
    },
    async beforeSwitch(context, locked) {
      await carryOverUnpublished(context, locked);
    },
  };
}
