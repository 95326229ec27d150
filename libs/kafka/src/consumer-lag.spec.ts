import type { Admin } from 'kafkajs';
import { register } from 'prom-client';
import { registerConsumerLagGauge } from './consumer-lag';

const groups = () => [{ groupId: 'g', topics: ['t'] }];

describe('tracker_consumer_lag (SPEC section 4: /metrics answers while Kafka is down)', () => {
  afterEach(() => {
    register.removeSingleMetric('tracker_consumer_lag');
    register.removeSingleMetric('tracker_consumer_lag_available');
  });

  it('reports each partition’s lag when the broker answers', async () => {
    const admin = {
      fetchTopicOffsets: async () => [
        { partition: 0, high: '10', low: '0', offset: '10' },
        { partition: 1, high: '5', low: '2', offset: '5' },
      ],
      fetchOffsets: async () => [{ topic: 't', partitions: [{ partition: 0, offset: '7' }] }],
    } as unknown as Admin;
    registerConsumerLagGauge(() => admin, groups, 200);
    const text = await register.metrics();
    expect(text).toContain('tracker_consumer_lag{group="g",topic="t",partition="0"} 3');
    expect(text).toContain('tracker_consumer_lag{group="g",topic="t",partition="1"} 3');
    expect(text).toContain('tracker_consumer_lag_available 1');
  });

  it('answers without the lag when the broker hangs or fails', async () => {
    const hanging = {
      fetchTopicOffsets: () => new Promise(() => undefined),
      fetchOffsets: () => new Promise(() => undefined),
    } as unknown as Admin;
    registerConsumerLagGauge(() => hanging, groups, 200);
    const started = Date.now();
    const text = await register.metrics();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(text).toContain('tracker_consumer_lag_available 0');
    expect(text).not.toMatch(/tracker_consumer_lag\{/);

    const failing = {
      fetchTopicOffsets: () => Promise.reject(new Error('KafkaJSConnectionError')),
      fetchOffsets: () => Promise.reject(new Error('KafkaJSConnectionError')),
    } as unknown as Admin;
    registerConsumerLagGauge(() => failing, groups, 200);
    expect(await register.metrics()).toContain('tracker_consumer_lag_available 0');
  });
});
