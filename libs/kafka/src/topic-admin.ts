import { Logger } from '@nestjs/common';
import { TOPIC_SPECS, TopicSpec } from '@tracker/contracts';
import { Admin, ITopicConfig, Kafka } from 'kafkajs';

const logger = new Logger('TopicAdmin');

function topicConfig(spec: TopicSpec, partitions: number): ITopicConfig {
  const configEntries = [
    { name: 'cleanup.policy', value: spec.compacted ? 'compact' : 'delete' },
    // Source-of-truth topics are kept forever: every read model is rebuilt from them.
    { name: 'retention.ms', value: '-1' },
    { name: 'min.insync.replicas', value: '1' },
  ];
  if (spec.compacted) {
    // Deleted integrations must stay deleted for every cache that restarts later.
    configEntries.push({ name: 'delete.retention.ms', value: String(7 * 24 * 3600 * 1000) });
  }
  return { topic: spec.name, numPartitions: partitions, replicationFactor: -1, configEntries };
}

/** Creates missing topics (existing ones are left as they are). Safe to call from every app. */
export async function ensureTopics(
  kafka: Kafka,
  partitions: number,
  specs: readonly TopicSpec[] = TOPIC_SPECS,
): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        topics: missing.map((spec) => topicConfig(spec, partitions)),
        waitForLeaders: true,
      });
    } catch (error) {
      // Another replica may have created them a moment ago: that is what we wanted.
      if (!/already exists/i.test((error as Error).message)) throw error;
    }
    logger.log(`created topics: ${missing.map((s) => s.name).join(', ')}`);
  } finally {
    await admin.disconnect();
  }
}
