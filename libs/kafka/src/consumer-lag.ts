import { Admin } from 'kafkajs';
import { Gauge, register } from 'prom-client';

export interface LaggingGroup {
  groupId: string;
  topics: string[];
}

/** How long a scrape waits for the broker before it answers without the lag. */
export const CONSUMER_LAG_TIMEOUT_MS = 1000;

function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * `tracker_consumer_lag{group,topic,partition}`: messages on the topic not yet committed by
 * the group, computed when Prometheus scrapes (no timer, no cost when nobody looks).
 * `tracker_consumer_lag_available` is 0 when the broker did not answer within
 * CONSUMER_LAG_TIMEOUT_MS: then the lag is left out and the rest of /metrics still answers
 * (exactly when Kafka is down is when the other metrics are needed).
 */
export function registerConsumerLagGauge(
  admin: () => Admin,
  groups: () => LaggingGroup[],
  timeoutMs = CONSUMER_LAG_TIMEOUT_MS,
): void {
  for (const name of ['tracker_consumer_lag', 'tracker_consumer_lag_available'])
    if (register.getSingleMetric(name)) register.removeSingleMetric(name);
  const available = new Gauge({
    name: 'tracker_consumer_lag_available',
    help: '1 when the broker answered the last consumer lag scrape in time, else 0',
  });
  new Gauge({
    name: 'tracker_consumer_lag',
    help: 'Messages not yet committed by a consumer group, per partition',
    labelNames: ['group', 'topic', 'partition'],
    async collect() {
      this.reset();
      const lags: Array<[labels: Record<string, string>, lag: number]> = [];
      try {
        await withinDeadline(readLags(admin(), groups(), lags), timeoutMs);
      } catch {
        available.set(0);
        return;
      }
      for (const [labels, lag] of lags) this.set(labels, lag);
      available.set(1);
    },
  });
}

/** Each group's lag per partition: the topic's end minus the group's committed offset. */
async function readLags(
  client: Admin,
  groups: LaggingGroup[],
  lags: Array<[labels: Record<string, string>, lag: number]>,
): Promise<void> {
  for (const { groupId, topics } of groups) {
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
        lags.push([{ group: groupId, topic, partition: String(end.partition) }, Number(lag)]);
      }
    }
  }
}
