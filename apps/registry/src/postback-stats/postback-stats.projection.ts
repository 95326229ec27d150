import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics } from '@tracker/contracts';
import { ConsumedEvent, KafkaRuntime } from '@tracker/kafka';
import { DataSource, EntityManager } from 'typeorm';
import { REGISTRY_DB } from '../registry.database';
import { countPostbacks } from './postback-counts';

const CONSUMER = 'registry.postback-stats';

/**
 * Keeps `receivedCount`/`lastReceivedAt` of configured events from `tracker.postbacks.v1`, so a
 * marketer sees a test registration arrive. Idempotent: each batch stores the next offset per
 * partition in its own transaction and skips what it already counted after a redelivery.
 * Postbacks of unknown integrations or events match no row and are ignored.
 */
@Injectable()
export class PostbackStatsProjection {
  constructor(
    kafka: KafkaRuntime,
    @InjectDataSource(REGISTRY_DB) private readonly dataSource: DataSource,
  ) {
    kafka.createConsumer({
      name: CONSUMER,
      group: CONSUMER,
      topics: [Topics.Postbacks],
      fromBeginning: true,
      handle: (messages) => this.handle(messages),
    });
  }

  async handle(messages: ConsumedEvent[]): Promise<void> {
    if (messages.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const fresh = await this.claim(manager, messages);
      const counts = countPostbacks(fresh);
      if (counts.length === 0) return;
      await manager.query(
        `UPDATE registry.integration_events e
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
    });
  }

  /** Locks the partitions' positions, keeps the messages past them and advances them. */
  private async claim(manager: EntityManager, messages: ConsumedEvent[]): Promise<ConsumedEvent[]> {
    const partitions = new Map<string, { topic: string; partition: number; next: bigint }>();
    for (const m of messages) {
      const key = `${m.topic}:${m.partition}`;
      const next = BigInt(m.offset) + 1n;
      const seen = partitions.get(key);
      if (!seen || next > seen.next)
        partitions.set(key, { topic: m.topic, partition: m.partition, next });
    }
    const targets = [...partitions.values()];
    await manager.query(
      `INSERT INTO registry.consumer_positions (consumer, topic, partition, next_offset)
       SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS x(t, p)
       ON CONFLICT DO NOTHING`,
      [CONSUMER, targets.map((t) => t.topic), targets.map((t) => t.partition)],
    );
    const rows: Array<{ topic: string; partition: number; next_offset: string }> =
      await manager.query(
        `SELECT topic, partition, next_offset FROM registry.consumer_positions
         WHERE consumer = $1 AND (topic, partition) IN (SELECT * FROM unnest($2::text[], $3::int[]))
         ORDER BY topic, partition FOR UPDATE`,
        [CONSUMER, targets.map((t) => t.topic), targets.map((t) => t.partition)],
      );
    const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
    const fresh = messages.filter(
      (m) => BigInt(m.offset) >= (stored.get(`${m.topic}:${m.partition}`) ?? 0n),
    );
    await manager.query(
      `UPDATE registry.consumer_positions c SET next_offset = GREATEST(c.next_offset, v.next)
       FROM unnest($2::text[], $3::int[], $4::bigint[]) AS v(topic, partition, next)
       WHERE c.consumer = $1 AND c.topic = v.topic AND c.partition = v.partition`,
      [
        CONSUMER,
        targets.map((t) => t.topic),
        targets.map((t) => t.partition),
        targets.map((t) => t.next.toString()),
      ],
    );
    return fresh;
  }
}
