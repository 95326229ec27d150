import { Admin } from 'kafkajs';

export type TopicOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/** How long a partition may be leaderless (a topic created a moment ago) before we give up. */
const DEFAULT_PATIENCE_MS = 15_000;

/**
 * `admin.fetchTopicOffsets` that waits out retriable broker errors. kafkajs retries only an
 * unknown topic; a partition whose leader is still being elected (a topic created a moment
 * ago: KRaft answers NOT_LEADER_OR_FOLLOWER until the broker has applied the new metadata)
 * fails at once, and a replay on a fresh broker died of it.
 */
export async function fetchTopicOffsets(
  admin: Pick<Admin, 'fetchTopicOffsets'>,
  topic: string,
  patienceMs = DEFAULT_PATIENCE_MS,
): Promise<TopicOffsets> {
  const deadline = Date.now() + patienceMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if (!isRetriable(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000)));
    }
  }
}

/** kafkajs marks protocol errors the broker documents as retriable. */
function isRetriable(error: unknown): boolean {
  return (error as { retriable?: unknown } | null)?.retriable === true;
}
