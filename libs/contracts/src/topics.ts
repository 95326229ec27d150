/**
 * Binding Kafka topic names (SPEC section 2). The version is part of the name: a breaking
 * change to a payload is a new topic, never an edited one.
 */
export const Topics = {
  /** Source of truth: every postback call as received. Keyed by click id, else integration id. */
  Postbacks: 'tracker.postbacks.v1',
  /** Source of truth: every minted click. Keyed by click id. */
  Clicks: 'tracker.clicks.v1',
  /** Compacted snapshots keyed by integration id; a null value (tombstone) means deleted. */
  Integrations: 'tracker.integrations.v1',
  /** Compacted snapshots keyed by account id; a null value (tombstone) means deleted. */
  Accounts: 'tracker.accounts.v1',
  /** One ConversionRecorded per attributed postback, for internal subscribers. */
  Conversions: 'tracker.conversions.v1',
  /** One PostbackProcessed per processing decision (status and error code of a postback). */
  PostbackOutcomes: 'tracker.postback-outcomes.v1',
  /** Compacted snapshots of outgoing-postback destinations keyed by id; null value = deleted. */
  Destinations: 'tracker.destinations.v1',
  /** DeliveryScheduled and DeliveryAttempted of outgoing postbacks: the deliveries log's source. */
  Deliveries: 'tracker.deliveries.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export const DLQ_SUFFIX = '.dlq';

/** The dead-letter topic of a consumed topic: poison messages go there with their reason. */
export const dlqTopic = (topic: string): string => `${topic}${DLQ_SUFFIX}`;

export interface TopicSpec {
  name: string;
  /** Log compaction: only the latest value per key is kept (snapshot topics). */
  compacted: boolean;
}

/** The eight topics the services publish. */
export const EVENT_TOPICS: readonly TopicName[] = Object.values(Topics);

/** Snapshot topics: consumers rebuild their caches from the latest value per key. */
export const COMPACTED_TOPICS: readonly TopicName[] = [
  Topics.Integrations,
  Topics.Accounts,
  Topics.Destinations,
];

/**
 * Every topic has a consumer (SPEC section 2): postbacks, clicks, integrations and accounts
 * inside the tracker, postback-outcomes by the postback log, conversions and destinations by
 * the dispatcher (and subscribers such as bots), deliveries by the dispatcher's replay. Hence
 * one DLQ each.
 */
export const CONSUMED_TOPICS: readonly TopicName[] = EVENT_TOPICS;

export const DLQ_TOPICS: readonly string[] = CONSUMED_TOPICS.map(dlqTopic);

/**
 * Every topic that must exist before the services start. DLQs are never compacted: each
 * poison message is kept for inspection even when several share a key.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  ...EVENT_TOPICS.map((name) => ({ name, compacted: COMPACTED_TOPICS.includes(name) })),
  ...DLQ_TOPICS.map((name) => ({ name, compacted: false })),
];
