import {
  ConsumedEvent,
  createKafkaClient,
  fetchWatermarks,
  TopicRangeReader,
} from '@tracker/kafka';

export interface SnapshotViewOptions<V> {
  topic: string;
  /** The stored value of a snapshot; null ignores the message. */
  toValue: (message: ConsumedEvent) => V | null;
  /** Keep the last value of deleted keys (e.g. a deleted integration's last name). */
  keepDeleted?: boolean;
}

/**
 * A replay's copy of a compacted topic (integrations, accounts) as it is now, caught up again
 * on demand: what the live app's in-memory directory answers, without Nest.
 */
export class SnapshotView<V> {
  private readonly values = new Map<string, V>();
  private readonly reader: TopicRangeReader;
  private refreshedAt = 0;
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly kafka: ReturnType<typeof createKafkaClient>,
    private readonly options: SnapshotViewOptions<V>,
  ) {
    this.reader = new TopicRangeReader(kafka, {
      topics: [options.topic],
      handle: async (messages) => {
        for (const message of messages) this.apply(message);
      },
    });
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  async start(): Promise<this> {
    const { start } = await fetchWatermarks(this.kafka, [this.options.topic]);
    await this.reader.start(start);
    await this.refresh(true);
    return this;
  }

  /** Reads what was added since; at most every half second unless forced. */
  refresh(force = false): Promise<void> {
    // Concurrent writers share one catch-up: the reader reads towards one end at a time.
    if (this.refreshing) return this.refreshing;
    if (!force && Date.now() - this.refreshedAt < 500) return Promise.resolve();
    this.refreshing = (async () => {
      const { end } = await fetchWatermarks(this.kafka, [this.options.topic]);
      await this.reader.readTo(end);
      this.refreshedAt = Date.now();
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async stop(): Promise<void> {
    await this.reader.stop();
  }

  private apply(message: ConsumedEvent): void {
    if (message.key === null) return;
    if (message.event === null) {
      if (!this.options.keepDeleted) this.values.delete(message.key);
      return;
    }
    const value = this.options.toValue(message);
    if (value !== null) this.values.set(message.key, value);
  }
}
