/**
 * The producer keeps every produce request within what the broker accepts (SPEC section 9:
 * sizes bounded end to end): a large gathering goes out as several requests, and one message
 * above the limit is refused at once instead of being retried forever ahead of the others.
 */
import { fetchWatermarks } from '../src/topic-range-reader';
import { EventProducer } from '../src/event-producer';
import { MAX_MESSAGE_BYTES, MessageTooLargeError } from '../src/message-size';
import { createTestTopic, testKafka } from './kafka-test-kit';

const kafka = testKafka();
let producer: EventProducer;

async function endOffset(topic: string): Promise<bigint> {
  const { end } = await fetchWatermarks(kafka, [topic]);
  return [...end.values()].reduce((sum, offset) => sum + offset, 0n);
}

beforeAll(async () => {
  // A bounded retry budget: a request the broker refuses must fail this test, not hang it.
  producer = new EventProducer(kafka, { retries: 2 });
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
});

describe('EventProducer request sizes', () => {
  it('given 3 MB for one partition in one send, when sent, then all of it is acknowledged', async () => {
    const topic = await createTestTopic('producer-split', 1);
    const value = 'v'.repeat(100_000);
    const messages = Array.from({ length: 30 }, (_, n) => ({ key: `k${n}`, value }));

    await producer.send(topic, messages);

    expect(await endOffset(topic)).toBe(30n);
  });

  it('given concurrent sends of 3 MB in total, when gathered, then each is acknowledged in order', async () => {
    const topic = await createTestTopic('producer-gather', 1);
    const value = 'w'.repeat(200_000);

    await Promise.all(
      Array.from({ length: 15 }, (_, n) =>
        producer.send(topic, [{ key: 'same', value: `${n}${value}` }]),
      ),
    );

    expect(await endOffset(topic)).toBe(15n);
  });

  it('given a message above the limit, when sent, then it is refused at once and the others go through', async () => {
    const topic = await createTestTopic('producer-oversized', 1);
    const oversized = producer.send(topic, [
      { key: 'big', value: 'x'.repeat(MAX_MESSAGE_BYTES + 1) },
    ]);
    const small = producer.send(topic, [{ key: 'small', value: 'ok' }]);

    await expect(oversized).rejects.toBeInstanceOf(MessageTooLargeError);
    await small;
    expect(await endOffset(topic)).toBe(1n);
  });
});
