import { randomBytes } from 'node:crypto';
import { createKafkaClient } from '@tracker/kafka';

/** The client type, named without importing kafkajs outside libs/kafka. */
export type Kafka = ReturnType<typeof createKafkaClient>;

export interface TopicOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** The shared test broker (jest's global setup provides KAFKA_BROKERS). */
export function testKafka(clientId = `e2e-${randomBytes(3).toString('hex')}`): Kafka {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through jest');
  return createKafkaClient({ brokers: brokers.split(','), clientId });
}

/** Where each partition of the topics ends right now. */
export async function topicEnds(kafka: Kafka, topics: readonly string[]): Promise<TopicOffset[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await Promise.all(
      topics.map(async (topic) =>
        (await admin.fetchTopicOffsets(topic)).map((o) => ({
          topic,
          partition: o.partition,
          offset: o.high,
        })),
      ),
    );
    return ends.flat();
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits a consumer group's starting offsets before any app joins it. Topics are shared by
 * every suite and run: starting where the test's own traffic starts keeps a test instance from
 * re-projecting (and re-publishing outcomes for) all history.
 */
export async function commitGroupOffsets(
  kafka: Kafka,
  groupId: string,
  offsets: readonly TopicOffset[],
): Promise<void> {
  // admin.setOffsets waits out a paused fetch; one short-lived member is quicker.
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
  await consumer.connect();
  try {
    for (const topic of new Set(offsets.map((o) => o.topic))) await consumer.subscribe({ topic });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    await joined;
    await consumer.commitOffsets([...offsets]);
  } finally {
    await consumer.disconnect();
  }
}

/** Positions every `<prefix>.<group>` at the current end of its topics. */
export async function startGroupsAtEnd(
  kafka: Kafka,
  prefix: string,
  groups: Record<string, readonly string[]>,
): Promise<void> {
  await Promise.all(
    Object.entries(groups).map(async ([group, topics]) =>
      commitGroupOffsets(kafka, `${prefix}.${group}`, await topicEnds(kafka, topics)),
    ),
  );
}
