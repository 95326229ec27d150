import { randomBytes } from 'node:crypto';
import { loadConfig } from '@tracker/config';
import { TOPIC_SPECS } from '@tracker/contracts';
import {
  createKafkaClient,
  ensureTopics,
  fetchWatermarks,
  OffsetMap,
  partitionKey,
  setGroupOffsets,
  splitPartitionKey,
} from '@tracker/kafka';

/** The client type, named without importing kafkajs outside libs/kafka. */
export type Kafka = ReturnType<typeof createKafkaClient>;

export interface TopicOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** A client of the shared test broker (jest's global setup provides KAFKA_BROKERS). */
export function testKafka(clientId = `test-${randomBytes(3).toString('hex')}`): Kafka {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through jest');
  return createKafkaClient({ brokers: brokers.split(','), clientId });
}

/**
 * Where each partition of the topics ends right now. A run's own broker starts empty and the
 * contract topics exist once an app booted; a suite may look before that, so the contract topics
 * among `topics` are created first (as the apps create them).
 */
export async function topicEnds(kafka: Kafka, topics: readonly string[]): Promise<TopicOffset[]> {
  const contract = TOPIC_SPECS.filter((spec) => topics.includes(spec.name));
  if (contract.length > 0) {
    await ensureTopics(kafka, loadConfig({}).kafkaTopicPartitions, contract);
  }
  const { end } = await fetchWatermarks(kafka, topics);
  return [...end].map(([key, offset]) => ({
    ...splitPartitionKey(key),
    offset: offset.toString(),
  }));
}

/** Where each partition of the topics begins (its oldest kept offset). */
export async function topicStarts(kafka: Kafka, topics: readonly string[]): Promise<TopicOffset[]> {
  const { start } = await fetchWatermarks(kafka, topics);
  return [...start].map(([key, offset]) => ({
    ...splitPartitionKey(key),
    offset: offset.toString(),
  }));
}

/** Commits a member-less consumer group's starting offsets before anyone joins it. */
export async function commitGroupOffsets(
  kafka: Kafka,
  groupId: string,
  offsets: readonly TopicOffset[],
): Promise<void> {
  const map: OffsetMap = new Map(
    offsets.map((o) => [partitionKey(o.topic, o.partition), BigInt(o.offset)] as const),
  );
  await setGroupOffsets(kafka, groupId, map);
}

/**
 * Positions every `<prefix>.<group>` at the current end of its topics. Topics are shared by
 * every suite and run: starting where the test's own traffic starts keeps a test instance from
 * re-projecting (and re-publishing outcomes for) all history.
 */
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
