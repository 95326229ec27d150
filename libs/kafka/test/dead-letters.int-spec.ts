/**
 * SPEC section 9: `npm run dlq -- <topic>` lists dead letters (reason, step, event id, click
 * id) and `--redrive` re-publishes each once, exactly once, onto its topic.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { dlqTopic } from '@tracker/contracts';
import { eventually, testKafka, TopicTail, topicEnds } from '@tracker/testing';
import { register } from 'prom-client';
import {
  DeadLetter,
  EventProducer,
  listDeadLetters,
  redriveDeadLetters,
  sendToDeadLetter,
} from '../src';

const kafka = testKafka('dead-letters-spec');

function letter(topic: string, offset: number, value: string | null, reason: string): DeadLetter {
  return {
    topic,
    partition: 0,
    step: 'spec.projection',
    reason,
    raw: {
      key: Buffer.from(`key-${offset}`),
      value: value === null ? null : Buffer.from(value),
      headers: { type: 'PostbackReceived' },
      offset: String(offset),
      timestamp: String(Date.now()),
    },
  };
}

describe('dead letters: list and redrive (Kafka)', () => {
  const topic = `spec.dead-letters.${randomBytes(4).toString('hex')}`;
  const prefix = `spec.${randomBytes(4).toString('hex')}`;
  let producer: EventProducer;
  let tail: TopicTail;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 2 },
        { topic: dlqTopic(topic), numPartitions: 2 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    producer = new EventProducer(kafka);
    await producer.connect();
    tail = await new TopicTail(kafka, topic).start();
  });

  afterAll(async () => {
    await tail?.stop();
    await producer?.disconnect();
  });

  it('lists them with reason, step, event id and click id, and redrives each exactly once', async () => {
    const eventId = randomUUID();
    const counted = async () =>
      (await register.getSingleMetric('tracker_kafka_dead_letters_total')!.get()).values
        .filter((v) => v.labels.topic === topic)
        .reduce((sum, v) => sum + v.value, 0);
    await sendToDeadLetter(producer, [
      letter(
        topic,
        7,
        JSON.stringify({ id: eventId, correlationId: 'Click0001x', type: 'PostbackReceived' }),
        'handler failed: unsupported Unicode escape sequence',
      ),
      letter(topic, 8, 'not json at all', 'undecodable: not JSON'),
    ]);
    expect(await counted()).toBe(2);

    const listed = await listDeadLetters(kafka, topic, prefix);
    expect(listed).toHaveLength(2);
    expect(listed.find((l) => l.eventId === eventId)).toMatchObject({
      reason: 'handler failed: unsupported Unicode escape sequence',
      step: 'spec.projection',
      clickId: 'Click0001x',
      topic,
      sourcePartition: '0',
      sourceOffset: '7',
      redriven: false,
    });
    expect(listed.find((l) => l.eventId === null)).toMatchObject({
      reason: 'undecodable: not JSON',
      sourceOffset: '8',
    });

    expect(await redriveDeadLetters(kafka, topic, prefix)).toHaveLength(2);
    // A second run finds nothing left: each was re-published once.
    expect(await redriveDeadLetters(kafka, topic, prefix)).toEqual([]);
    expect((await listDeadLetters(kafka, topic, prefix)).every((l) => l.redriven)).toBe(true);

    // One more dead letter later: only that one is re-driven.
    await sendToDeadLetter(producer, [letter(topic, 9, '{"id":"x"}', 'again')]);
    expect((await redriveDeadLetters(kafka, topic, prefix)).map((l) => l.sourceOffset)).toEqual([
      '9',
    ]);

    // Three transactions of one message each: three messages and three commit markers.
    const ends = await topicEnds(kafka, [topic]);
    expect(ends.reduce((sum, end) => sum + Number(end.offset), 0)).toBe(6);
    await eventually(() => expect(tail.records).toHaveLength(3));
    expect(tail.records.map((r) => r.key).sort()).toEqual(['key-7', 'key-8', 'key-9']);
    for (const record of tail.records) {
      expect(record.headers.type).toBe('PostbackReceived');
      expect(record.headers['dlq.reason']).toBeUndefined();
      expect(record.headers['dlq.redriven-from']).toMatch(new RegExp(`^${dlqTopic(topic)}:`));
    }
    expect(tail.records.find((r) => r.key === 'key-8')?.value?.toString()).toBe('not json at all');
    expect(await counted()).toBe(3);
  });
});
