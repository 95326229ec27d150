import { KafkaJSProtocolError } from 'kafkajs';
import { fetchTopicOffsets, TopicOffsets } from './topic-offsets';

const offsets: TopicOffsets = [{ partition: 0, offset: '7', high: '7', low: '0' }];

const protocolError = (type: string, code: number, retriable: boolean, message: string) =>
  new KafkaJSProtocolError(Object.assign(new Error(message), { type, code, retriable }));

/** kafkajs' own error for NOT_LEADER_OR_FOLLOWER, as a fresh topic's first ListOffsets gets it. */
const notLeader = () =>
  protocolError(
    'NOT_LEADER_FOR_PARTITION',
    6,
    true,
    'This server is not the leader for that topic-partition',
  );

describe('fetchTopicOffsets', () => {
  it('waits out a partition whose leader is not ready yet', async () => {
    const fetch = jest
      .fn<Promise<TopicOffsets>, [string]>()
      .mockRejectedValueOnce(notLeader())
      .mockRejectedValueOnce(notLeader())
      .mockResolvedValue(offsets);

    await expect(fetchTopicOffsets({ fetchTopicOffsets: fetch }, 'fresh')).resolves.toBe(offsets);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('fails at once on an error retrying cannot fix', async () => {
    const denied = protocolError('TOPIC_AUTHORIZATION_FAILED', 29, false, 'Not authorized');
    const fetch = jest.fn<Promise<TopicOffsets>, [string]>().mockRejectedValue(denied);

    await expect(fetchTopicOffsets({ fetchTopicOffsets: fetch }, 'secret')).rejects.toBe(denied);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('gives up once the leader stays away past its patience', async () => {
    const fetch = jest.fn<Promise<TopicOffsets>, [string]>().mockRejectedValue(notLeader());

    await expect(fetchTopicOffsets({ fetchTopicOffsets: fetch }, 'stuck', 200)).rejects.toThrow(
      'not the leader',
    );
    expect(fetch.mock.calls.length).toBeGreaterThan(1);
  });
});
