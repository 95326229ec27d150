import { randomBytes } from 'node:crypto';
import { AnyEvent } from '@tracker/contracts';
import { decodeMessage, headersToStrings, RawMessage } from '@tracker/kafka';
import { commitGroupOffsets, Kafka, TopicOffset, topicEnds, topicStarts } from './kafka-positions';

export interface TailRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Everything that lands on one topic after `start()` (shared topics: earlier history is
 * skipped), or with `{ from: 'beginning' }` everything it holds (a broker private to the run),
 * kept raw so dead letters that are not even JSON can be inspected too.
 */
export class TopicTail {
  readonly records: TailRecord[] = [];
  /** Messages fetched again after a rejoin (skipped). */
  rereads = 0;
  /** Next offset to read per partition. */
  private readonly positions = new Map<number, bigint>();
  private readonly consumer: ReturnType<Kafka['consumer']>;
  private readonly groupId = `e2e-tail.${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {
    this.consumer = kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 50 });
  }

  async start(options: { from?: 'end' | 'beginning' } = {}): Promise<this> {
    const from =
      options.from === 'beginning'
        ? await topicStarts(this.kafka, [this.topic])
        : await topicEnds(this.kafka, [this.topic]);
    for (const { partition, offset } of from) this.positions.set(partition, BigInt(offset));
    await commitGroupOffsets(this.kafka, this.groupId, from);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const raw of batch.messages) {
          // Without commits, a rejoin re-fetches from the start offsets: keep each offset once.
          if (BigInt(raw.offset) < (this.positions.get(batch.partition) ?? 0n)) {
            this.rereads++;
            continue;
          }
          this.positions.set(batch.partition, BigInt(raw.offset) + 1n);
          this.records.push({
            partition: batch.partition,
            offset: raw.offset,
            key: raw.key ? raw.key.toString('utf8') : null,
            value: raw.value,
            headers: headersToStrings(raw.headers),
          });
        }
      },
    });
    return this;
  }

  /** True once everything up to these offsets (e.g. `topicEnds()` a moment ago) was read. */
  reached(ends: readonly TopicOffset[]): boolean {
    return ends.every(
      (end) =>
        end.topic !== this.topic || (this.positions.get(end.partition) ?? 0n) >= BigInt(end.offset),
    );
  }

  /** The records that decode as events of the contract (tombstones and junk left out). */
  events(): AnyEvent[] {
    const events: AnyEvent[] = [];
    for (const record of this.records) {
      const raw: RawMessage = {
        ...record,
        key: record.key === null ? null : Buffer.from(record.key),
        timestamp: '0',
      };
      const decoded = decodeMessage(this.topic, record.partition, raw);
      if (decoded.ok && decoded.message.event) events.push(decoded.message.event);
    }
    return events;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
