import { Topics } from '@tracker/contracts';
import { fetchWatermarks } from '@tracker/kafka';
import { Queryable, queryRows, ReplayContext, ReplayDefinition } from '@tracker/replay';
import { CreateDispatcher1764300000000 } from '../migrations/1764300000000-CreateDispatcher';
import { DISPATCHER_RELAY_LOCK } from '../outbox/outbox.relay';
import { DISPATCHER_DB, DISPATCHER_SCHEMA, tablesOf } from '../shared/schema';
import { writeDeliveryLog } from './delivery-log.writer';

const DELIVERY_TOPICS = [Topics.Deliveries];
const OUTBOX_DRAIN_MS = 15_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pendingCount(locked: Queryable, schema: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    locked,
    `SELECT count(*)::int AS n FROM ${tablesOf(schema).outbox} WHERE published_at IS NULL`,
  );
  return row.n;
}

/**
 * The deliveries log (deliveries and their attempts) rebuilt from `tracker.deliveries.v1`, the
 * dispatcher's own output: complete once its outbox is drained. Nothing is sent and nothing is
 * published: the rebuilt model has no outbox rows, and the work state that is not on the topic
 * (the rendered request with its secrets, the conversion awaiting its first attempt, leases and
 * retry windows) is carried over from the live tables at the switch.
 */
export function dispatcherReplay(): ReplayDefinition {
  return {
    model: 'dispatcher',
    database: {
      name: DISPATCHER_DB,
      schema: DISPATCHER_SCHEMA,
      entities: [],
      migrations: [CreateDispatcher1764300000000],
    },
    topics: DELIVERY_TOPICS,
    batchSize: 2000,
    compare: [
      {
        table: 'deliveries',
        key: 'id',
        columns: [
          'id',
          'account_id',
          'destination_id',
          'conversion_id',
          'click_id',
          'stage',
          'status',
          'attempts',
          'created_at',
          'last_attempt_at',
          'next_attempt_at',
          'response_status',
          'response_body',
          'error',
          'request_method',
          'request_url',
        ],
      },
      {
        table: 'delivery_attempts',
        key: `delivery_id::text || '/' || attempt`,
        columns: [
          'delivery_id',
          'attempt',
          'attempted_at',
          'request_method',
          'request_url',
          'body_size',
          'response_status',
          'response_body',
          'error',
          'duration_ms',
          'outcome',
          'next_attempt_at',
        ],
      },
    ],
    async open(context) {
      const tables = tablesOf(context.replaySchema);
      return { write: (messages) => writeDeliveryLog(context.dataSource, tables, messages) };
    },
    // The topic is the live model's output: its end is where the live log is, once drained.
    async livePosition(context: ReplayContext) {
      const { end } = await fetchWatermarks(context.kafka, DELIVERY_TOPICS);
      return { offsets: end, active: true };
    },
    async quiesce(context, locked) {
      // Live writes are paused: the relay must put every committed event on the topic.
      const deadline = Date.now() + OUTBOX_DRAIN_MS;
      let pending = await pendingCount(locked, context.liveSchema);
      while (pending > 0 && Date.now() < deadline) {
        await sleep(100);
        pending = await pendingCount(locked, context.liveSchema);
      }
      if (pending > 0) {
        throw new Error(
          `the live dispatcher outbox still holds ${pending} unpublished events; ` +
            'start the dispatcher so its relay publishes them, then replay again',
        );
      }
    },
    async beforeSwitch(context, locked) {
      const live = tablesOf(context.liveSchema);
      const rebuilt = tablesOf(context.replaySchema);
      await locked.query('SELECT pg_advisory_xact_lock($1)', [DISPATCHER_RELAY_LOCK]);
      await locked.query(
        `UPDATE ${rebuilt.deliveries} r
            SET conversion = l.conversion, rendered = l.rendered, lease_until = l.lease_until,
                window_started_at = l.window_started_at, scheduled = l.scheduled
           FROM ${live.deliveries} l
          WHERE r.id = l.id`,
      );
      // Outbox sequence numbers keep growing across the switch.
      await locked.query(
        `SELECT setval(pg_get_serial_sequence('${rebuilt.outbox}', 'seq'), last_value, is_called)
           FROM ${live.outbox.replace(/\.outbox$/, '.outbox_seq_seq')}`,
      );
    },
  };
}
