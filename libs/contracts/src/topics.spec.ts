import {
  COMPACTED_TOPICS,
  CONSUMED_TOPICS,
  DLQ_TOPICS,
  dlqTopic,
  EVENT_TOPICS,
  TOPIC_SPECS,
  Topics,
} from './topics';

describe('topics', () => {
  it('uses the binding names (SPEC section 2)', () => {
    expect(Topics).toEqual({
      Postbacks: 'tracker.postbacks.v1',
      Clicks: 'tracker.clicks.v1',
      Integrations: 'tracker.integrations.v1',
      Accounts: 'tracker.accounts.v1',
      Conversions: 'tracker.conversions.v1',
      PostbackOutcomes: 'tracker.postback-outcomes.v1',
      Destinations: 'tracker.destinations.v1',
      Deliveries: 'tracker.deliveries.v1',
    });
    expect(EVENT_TOPICS).toHaveLength(8);
  });

  it('names dead-letter topics <topic>.dlq', () => {
    expect(dlqTopic('tracker.postbacks.v1')).toBe('tracker.postbacks.v1.dlq');
  });

  it('compacts exactly the snapshot topics', () => {
    expect([...COMPACTED_TOPICS].sort()).toEqual([
      'tracker.accounts.v1',
      'tracker.destinations.v1',
      'tracker.integrations.v1',
    ]);
  });

  it('lists every topic to create: the eight, each with its DLQ, only snapshots compacted', () => {
    expect(CONSUMED_TOPICS).toEqual(EVENT_TOPICS);
    expect(DLQ_TOPICS).toEqual(EVENT_TOPICS.map((topic) => `${topic}.dlq`));
    expect(TOPIC_SPECS).toEqual([
      { name: 'tracker.postbacks.v1', compacted: false },
      { name: 'tracker.clicks.v1', compacted: false },
      { name: 'tracker.integrations.v1', compacted: true },
      { name: 'tracker.accounts.v1', compacted: true },
      { name: 'tracker.conversions.v1', compacted: false },
      { name: 'tracker.postback-outcomes.v1', compacted: false },
      { name: 'tracker.destinations.v1', compacted: true },
      { name: 'tracker.deliveries.v1', compacted: false },
      { name: 'tracker.postbacks.v1.dlq', compacted: false },
      { name: 'tracker.clicks.v1.dlq', compacted: false },
      { name: 'tracker.integrations.v1.dlq', compacted: false },
      { name: 'tracker.accounts.v1.dlq', compacted: false },
      { name: 'tracker.conversions.v1.dlq', compacted: false },
      { name: 'tracker.postback-outcomes.v1.dlq', compacted: false },
      { name: 'tracker.destinations.v1.dlq', compacted: false },
      { name: 'tracker.deliveries.v1.dlq', compacted: false },
    ]);
  });
});
