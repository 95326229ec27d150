import { ConsumedEvent } from '@tracker/kafka';
import { lockModelShared } from '@tracker/replay';
import { EntityManager } from 'typeorm';
import { countPostbacks } from './postback-counts';

/** The consumer name its positions are stored under. */
export const POSTBACK_STATS_CONSUMER = 'registry.postback-stats';

export interface PostbackStatsOptions {
  /** Where the registry lives: the live schema, or a replay's fresh one. */
  schema?: string;
  /** Take the model's shared switch lock (live writers; a replay holds it exclusively). */
  switchLock?: boolean;
}

/**
 * Applies a batch of postbacks to the per-event counts inside the caller's transaction:
 * claims the partitions' stored positions first, so a redelivered batch counts nothing twice.
 * Postbacks of unknown integrations or events match no row and are ignored.
 */
export async function applyPostbackStats(
  manager: EntityManager,
  messages: ConsumedEvent[],
  options: PostbackStatsOptions = {},
): Promise<void> {
  if (options.switchLock ?? true) await lockModelShared(manager, 'registry');
  const schema = `"${(options.schema ?? 'registry').replace(/"/g, '""')}"`;
  const fresh = await claim(manager, schema, messages);
  const counts = countPostbacks(fresh);
  if (counts.length === 0) return;
  await manager.query(
    `UPDATE ${schema}.integration_events e
     SET received_count = e.received_count + v.n,
         last_received_at = GREATEST(e.last_received_at, v.last_received_at)
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[])
       AS v(integration_id, name, n, last_received_at)
     WHERE e.integration_id = v.integration_id AND e.name = v.name`,
    [
      counts.map((c) => c.integrationId),
      counts.map((c) => c.event),
      counts.map((c) => c.count),
      counts.map((c) => c.lastReceivedAt),
    ],
  );
}

/** Locks the partitions' positions, keeps the messages past them and advances them. */
async function claim(
  manager: EntityManager,
  schema: string,
  messages: ConsumedEvent[],
): Promise<ConsumedEvent[]> {
  const partitions = new Map<string, { topic: string; partition: number; next: bigint }>();
  for (const m of messages) {
    const key = `${m.topic}:${m.partition}`;
    const next = BigInt(m.offset) + 1n;
    const seen = partitions.get(key);
    if (!seen || next > seen.next)
      partitions.set(key, { topic: m.topic, partition: m.partition, next });
  }
  const targets = [...partitions.values()];
  const consumer = POSTBACK_STATS_CONSUMER;
  await manager.query(
    `INSERT INTO ${schema}.consumer_positions (consumer, topic, partition, next_offset)
     SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS x(t, p)
     ON CONFLICT DO NOTHING`,
    [consumer, targets.map((t) => t.topic), targets.map((t) => t.partition)],
  );
  const rows: Array<{ topic: string; partition: number; next_offset: string }> =
    await manager.query(
      `SELECT topic, partition, next_offset FROM ${schema}.consumer_positions
       WHERE consumer = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))
       ORDER BY topic, partition FOR UPDATE`,
      [consumer, targets.map((t) => t.topic), targets.map((t) => t.partition)],
    );
  const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
  const fresh = messages.filter(
    (m) => BigInt(m.offset) >= (stored.get(`${m.topic}:${m.partition}`) ?? 0n),
  );
  await manager.query(
    `UPDATE ${schema}.consumer_positions c SET next_offset = GREATEST(c.next_offset, v.next)
     FROM unnest($2::text[], $3::int[], $4::bigint[]) AS v(topic, partition, next)
     WHERE c.consumer = $1 AND c.topic = v.topic AND c.partition = v.partition`,
    [
      consumer,
      targets.map((t) => t.topic),
      targets.map((t) => t.partition),
      targets.map((t) => t.next.toString()),
    ],
  );
  return fresh;
}
