import { Topics } from '@tracker/contracts';
import { fetchGroupPosition, fetchWatermarks, partitionKey } from '@tracker/kafka';
import { Queryable, queryRows, ReplayContext, ReplayDefinition } from '@tracker/replay';
import { POSTBACK_STATS_CONSUMER } from '../postback-stats/postback-stats.writer';
import { REGISTRY_DATABASE } from '../registry.database';
import { RegistrySnapshots } from './registry-snapshots';

const SNAPSHOT_TOPICS = [Topics.Accounts, Topics.Integrations, Topics.Destinations];
const REGISTRY_TOPICS = [...SNAPSHOT_TOPICS, Topics.Postbacks];
const OUTBOX_DRAIN_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Postback counts are exact to the stored positions of the live projection; the snapshot
 * topics are the registry's own output, complete once its outbox is empty.
 */
async function livePosition(context: ReplayContext) {
  const { end } = await fetchWatermarks(context.kafka, SNAPSHOT_TOPICS);
  const positions = await queryRows<{ topic: string; partition: number; next_offset: string }>(
    context.dataSource,
    `SELECT topic, partition, next_offset FROM ${q(context.liveSchema)}.consumer_positions
      WHERE consumer = $1`,
    [POSTBACK_STATS_CONSUMER],
  );
  for (const row of positions) {
    end.set(partitionKey(row.topic, row.partition), BigInt(row.next_offset));
  }
  const group = `${context.groupPrefix}.${POSTBACK_STATS_CONSUMER}`;
  const { active } = await fetchGroupPosition(context.kafka, group, [Topics.Postbacks]);
  return { offsets: end, active };
}

async function pendingSnapshots(locked: Queryable, schema: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    locked,
    `SELECT count(*)::int AS n FROM ${q(schema)}.outbox WHERE published_at IS NULL`,
  );
  return row.n;
}

/**
 * Accounts (with key hashes), integrations with their events and registration links,
 * destinations and per-event postback counts, rebuilt from tracker.accounts.v1,
 * tracker.integrations.v1, tracker.destinations.v1 and tracker.postbacks.v1. Nothing is written to the outbox: no snapshot is published again.
 */
export function registryReplay(): ReplayDefinition {
  const snapshots = new RegistrySnapshots();
  return {
    model: 'registry',
    database: REGISTRY_DATABASE,
    topics: REGISTRY_TOPICS,
    batchSize: 5000,
    // Link creation times are not on the topic (the order is); outbox and positions are bookkeeping.
    compare: [
      {
        table: 'accounts',
        key: 'id',
        columns: ['id', 'name', 'disabled', 'created_at', 'updated_at'],
      },
      {
        table: 'api_keys',
        key: 'id',
        columns: ['id', 'account_id', 'hash', 'prefix', 'created_at', 'revoked_at'],
      },
      {
        table: 'integrations',
        key: 'id',
        columns: [
          'id',
          'account_id',
          'name',
          'template',
          'click_id_param',
          'amount_param',
          'default_currency',
          'field_params::text',
          'enabled',
          'rate_limit_per_second',
          'created_at',
          'updated_at',
        ],
      },
      {
        table: 'integration_events',
        key: `integration_id::text || '/' || name`,
        columns: [
          'integration_id',
          'name',
          'position',
          'label',
          'kind',
          'params::text',
          'received_count',
          'last_received_at',
        ],
      },
      {
        table: 'registration_links',
        key: 'id',
        columns: ['id', 'integration_id', 'name', 'base_url', 'final_url'],
      },
      {
        table: 'destinations',
        key: 'id',
        columns: [
          'id',
          'account_id',
          'name',
          'integration_id',
          'stages::text',
          'method',
          'url',
          'headers::text',
          'body',
          'enabled',
          'created_at',
          'updated_at',
          'active_since',
        ],
      },
    ],
    async open() {
      return {
        write: async (messages) => snapshots.apply(messages),
      };
    },
    flush: (context) => snapshots.writeTo(context.dataSource, context.replaySchema),
    livePosition,
    async quiesce(context, locked) {
      // Changes are paused; the relay must have put every committed one on the topics.
      const deadline = Date.now() + OUTBOX_DRAIN_MS;
      let pending = await pendingSnapshots(locked, context.liveSchema);
      while (pending > 0 && Date.now() < deadline) {
        await sleep(100);
        pending = await pendingSnapshots(locked, context.liveSchema);
      }
      if (pending > 0) {
        throw new Error(
          `the live registry outbox still holds ${pending} unpublished snapshots; ` +
            'start the registry so its relay publishes them, then replay again',
        );
      }
    },
    async beforeSwitch(context, locked) {
      const live = q(context.liveSchema);
      const rebuilt = q(context.replaySchema);
      // The live projection's positions are exactly what the rebuilt counts include.
      await locked.query(`DELETE FROM ${rebuilt}.consumer_positions`);
      await locked.query(
        `INSERT INTO ${rebuilt}.consumer_positions SELECT * FROM ${live}.consumer_positions`,
      );
      // Outbox sequence numbers keep growing across the switch (waiters are keyed by them).
      await locked.query(
        `SELECT setval(pg_get_serial_sequence('${rebuilt}.outbox', 'seq'), last_value, is_called)
           FROM ${live}.outbox_seq_seq`,
      );
    },
  };
}
