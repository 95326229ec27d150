import { Admin } from 'kafkajs';
import { Gauge, register } from 'prom-client';

export interface LaggingGroup {
  groupId: string;
  topics: string[];
}

/**
 * `tracker_consumer_lag{group,topic,partition}`: messages on the topic not yet committed by
 * the group, computed when Prometheus scrapes (no timer, no cost when nobody looks).
 */
export function registerConsumerLagGauge(admin: () => Admin, groups: () => LaggingGroup[]): void {
  if (register.getSingleMetric('tracker_consumer_lag'))
    register.removeSingleMetric('tracker_consumer_lag');
  new Gauge({
    name: 'tracker_consumer_lag',
    help: 'Messages not yet committed by a consumer group, per partition',
    labelNames: ['group', 'topic', 'partition'],
    async collect() {
      this.reset();
      const client = admin();
      for (const { groupId, topics } of groups()) {
        for (const topic of topics) {
          const [ends, committed] = await Promise.all([
            client.fetchTopicOffsets(topic),
            client.fetchOffsets({ groupId, topics: [topic] }),
          ]);
          const done = new Map(
            (committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
          );
          for (const end of ends) {
            const high = BigInt(end.high);
            const low = BigInt(end.low);
            const at = done.get(end.partition) ?? -1n;
            // -1 means "nothing committed yet": everything still on the topic is lag.
            const lag = at < 0n ? high - low : high - at;
            this.set({ group: groupId, topic, partition: String(end.partition) }, Number(lag));
          }
        }
      }
    },
  });
}
