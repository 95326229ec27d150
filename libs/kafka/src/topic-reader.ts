import { randomUUID } from 'node:crypto';
import { Consumer, Kafka } from 'kafkajs';
import { ConsumedEvent, decodeMessage, RawMessage } from './message-codec';

/**
 * Reads a topic from the beginning into memory, without committing anything: for tests,
 * replay checks and ops tools that must see exactly what is on the topic.
 */
export class TopicReader {
  readonly messages: ConsumedEvent[] = [];
  readonly undecodable: Array<{ partition: number; offset: string; reason: string }> = [];
  private readonly consumer: Consumer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.consumer = kafka.consumer({ groupId: `reader.${randomUUID()}`, maxWaitTimeInMs: 50 });
  }

  async start(): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const raw of batch.messages) {
          const decoded = decodeMessage(this.topic, batch.partition, raw as RawMessage);
          if (decoded.ok) this.messages.push(decoded.message);
          else
            this.undecodable.push({
              partition: batch.partition,
              offset: raw.offset,
              reason: decoded.reason,
            });
        }
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}
