import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics } from '@tracker/contracts';
import { ConsumedEvent, KafkaRuntime } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { REGISTRY_DB } from '../registry.database';
import { applyPostbackStats, POSTBACK_STATS_CONSUMER } from './postback-stats.writer';

/**
 * Keeps `receivedCount`/`lastReceivedAt` of configured events from `tracker.postbacks.v1`, so a
 * marketer sees a test registration arrive. Idempotent: each batch stores the next offset per
 * partition in its own transaction and skips what it already counted after a redelivery.
 */
@Injectable()
export class PostbackStatsProjection {
  constructor(
    kafka: KafkaRuntime,
    @InjectDataSource(REGISTRY_DB) private readonly dataSource: DataSource,
  ) {
    kafka.createConsumer({
      name: POSTBACK_STATS_CONSUMER,
      group: POSTBACK_STATS_CONSUMER,
      topics: [Topics.Postbacks],
      fromBeginning: true,
      // Counters a marketer glances at: a quarter second later is as good, and large fetches
      // spare the broker and this process a round trip per handful of postbacks.
      fetch: { minBytes: 512 * 1024, maxWaitMs: 250 },
      handle: (messages) => this.handle(messages),
    });
  }

  async handle(messages: ConsumedEvent[]): Promise<void> {
    if (messages.length === 0) return;
    await this.dataSource.transaction((manager) => applyPostbackStats(manager, messages));
  }
}
