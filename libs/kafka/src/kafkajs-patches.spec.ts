/**
 * The kafkajs patches (patches/kafkajs+2.2.4.patch, see patches/README.md) are installed and
 * keep kafkajs' behaviour: per-partition order of grouped messages, the exact bytes of varints
 * and records, requests sent once a slot frees or a throttle ends; and they change only what they
 * mean to: no timer armed while nothing waits, and an idle consumer's long poll.
 */
import { readFileSync } from 'node:fs';

// kafkajs' internals have no types; the paths are those the patch changes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Encoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeUVarInt(value: number): unknown;
  writeVarInt(value: number): unknown;
  buffer: Buffer;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (
  args: unknown,
) => Record<string, Array<{ key: string }>>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
  pending: unknown[];
  throttleCheckTimeoutId: unknown;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup') as new (
  options: object,
) => Record<string, unknown> & { fetch(nodeId: number): Promise<unknown[]> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const murmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;

const silent = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  namespace: () => silent,
};

/** A connection's request queue whose sent requests land in `sent` (correlation ids). */
function requestQueue(maxInFlightRequests: number, sent: number[]) {
  const queue = new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'localhost:9092',
    logger: silent,
  });
  const push = (correlationId: number) =>
    queue.push({
      entry: {
        correlationId,
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        resolve: () => undefined,
        reject: () => undefined,
      },
      expectResponse: true,
      sendRequest: () => sent.push(correlationId),
    });
  const answer = (correlationId: number) =>
    queue.fulfillRequest({ correlationId, payload: null, size: 0 });
  return { queue, push, answer };
}

/**
 * A consumer group with one assigned partition whose broker answers every fetch with `records`
 * of the next call's list; `asked` gets each fetch's maxWaitTime and minBytes.
 */
function consumerGroupFetching(records: number[], asked: Array<[number, number]>) {
  const group = new ConsumerGroup({
    logger: silent,
    topics: ['t'],
    maxWaitTimeInMs: 25,
    minBytes: 128 * 1024,
    idleMaxWaitTimeInMs: 500,
  });
  const broker = {
    fetch: async ({ maxWaitTime, minBytes }: { maxWaitTime: number; minBytes: number }) => {
      asked.push([maxWaitTime, minBytes]);
      const count = records.shift() ?? 0;
      const messages = Array.from({ length: count }, (_, index) => ({
        offset: String(index),
        key: null,
        value: Buffer.from('{}'),
        timestamp: '0',
        headers: {},
      }));
      return {
        responses: [
          {
            topicName: 't',
            partitions: [{ partition: 0, highWatermark: String(count), messages }],
          },
        ],
      };
    },
  };
  Object.assign(group, {
    cluster: { refreshMetadataIfNecessary: async () => undefined, findBroker: async () => broker },
    checkForStaleAssignment: () => undefined,
    subscriptionState: { assigned: () => [{ topic: 't', partitions: [0] }], isPaused: () => false },
    filterPartitionsByNode: (_node: number, assigned: unknown) => assigned,
    seekOffsets: async () => undefined,
    offsetManager: { committedOffsets: () => ({ t: { 0: '0' } }), nextOffset: () => '0' },
    getActiveTopicPartitions: () => ({ t: new Set([0]) }),
  });
  return group;
}

/** LEB128 of an unsigned 32-bit value, as the Kafka protocol writes varints. */
function leb128(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  bytes.push(rest);
  return bytes;
}

describe('kafkajs patches', () => {
  it('given a fresh install, then the patched files are the ones kafkajs loads', () => {
    for (const file of [
      'src/producer/groupMessagesPerPartition.js',
      'src/protocol/encoder.js',
      'src/producer/partitioners/default/murmur2.js',
      'src/network/requestQueue/index.js',
      'src/consumer/consumerGroup.js',
    ]) {
      const source = readFileSync(require.resolve(`kafkajs/${file}`), 'utf8');
      expect(source).toContain('patches/kafkajs+2.2.4.patch');
    }
  });

  it('given values of every varint length, when written, then the bytes are LEB128 as before', () => {
    const values = [0, 1, 127, 128, 300, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455];
    const encoder = new Encoder();
    for (const value of [...values, 268_435_456, 0xffffffff]) encoder.writeUVarInt(value);
    const expected = [...values, 268_435_456, 0xffffffff].flatMap(leb128);
    expect([...encoder.buffer]).toEqual(expected);
  });

  it('given signed values, when written as zigzag varints, then they round to the same bytes', () => {
    const encoder = new Encoder();
    for (const value of [0, -1, 1, -64, 64, -2_147_483_648, 2_147_483_647]) {
      encoder.writeVarInt(value);
    }
    const zigzag = [0, 1, 2, 127, 128, 4_294_967_295, 4_294_967_294];
    expect([...encoder.buffer]).toEqual(zigzag.flatMap(leb128));
  });

  it('given more bytes than the initial buffer, when written, then nothing is lost in the growth', () => {
    const encoder = new Encoder();
    const values = Array.from({ length: 2_000 }, (_, index) => index * 1_000);
    for (const value of values) encoder.writeUVarInt(value);
    expect([...encoder.buffer]).toEqual(values.flatMap(leb128));
  });

  it('given many messages, when grouped, then each partition keeps their order', () => {
    const messages = Array.from({ length: 5_000 }, (_, index) => ({ key: `k${index}` }));
    const grouped = groupMessagesPerPartition({
      topic: 't',
      partitionMetadata: [{ partitionId: 0 }, { partitionId: 1 }, { partitionId: 2 }],
      messages,
      partitioner: ({ message }: { message: { key: string } }) => Number(message.key.slice(1)) % 3,
    });
    expect(Object.keys(grouped).sort()).toEqual(['0', '1', '2']);
    for (const [partition, list] of Object.entries(grouped)) {
      expect(list).toEqual(messages.filter((_, index) => index % 3 === Number(partition)));
    }
  });

  it("given message keys, when hashed for the partition, then the hash is the Java client's", () => {
    // Kafka's own test vectors (UtilsTest.testMurmur2), then keys hashed by unpatched kafkajs
    // 2.2.4 (200,000 random keys of 0–69 bytes agreed with it when the patch was made).
    const vectors: Array<[string | Buffer, number]> = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      [Buffer.from('abc'), 479470107],
      ['', 275646681],
      ['é€😀', -232818566],
      ['0f8fad5b-d9cb-469f-a165-70867728950e', -1084131179],
      ['caf', 2069451778],
      ['857e96', -714070734],
      ['9032094b-', -46119935],
      ['99d16945-01e', 699363093],
      ['57c428c5-7c27-4', -514537515],
      ['cebb20f2-aa87-4c9b', -1613852109],
      ['4d101610-488c-4287-9e', 1035473850],
      ['66820f68-645a-488c-bded-', -986945926],
      ['84d77325-3688-4be4-8053-df5', -396323595],
      ['75a61f3f-2c84-44db-a34c-48fe80', 837700215],
      ['51f462d1-b161-4140-aabb-3c243cf07', 1653235450],
    ];
    for (const [key, hash] of vectors) expect([key, murmur2(key)]).toEqual([key, hash]);
  });

  it('given no partition metadata, when grouped, then there is nothing to send', () => {
    expect(
      groupMessagesPerPartition({
        topic: 't',
        partitionMetadata: [],
        messages: [{ key: 'a' }],
        partitioner: () => 0,
      }),
    ).toEqual({});
  });

  it('given a connection with nothing pending, when a response arrives, then no timer is armed', () => {
    // Unpatched, the queue re-armed a 1 ms timer forever on every connection (kafkajs #1556).
    const sent: number[] = [];
    const { queue, push, answer } = requestQueue(5, sent);
    push(1);
    answer(1);
    expect(sent).toEqual([1]);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
    expect(queue.pending).toEqual([]);
  });

  it('given a request waiting for an in-flight slot, when the slot frees, then it is sent', () => {
    jest.useFakeTimers();
    try {
      const sent: number[] = [];
      const { queue, push, answer } = requestQueue(1, sent);
      push(1);
      push(2);
      expect(sent).toEqual([1]);
      answer(1);
      expect(sent).toEqual([1, 2]);
      answer(2);
      // The check armed while request 2 waited fires once and is not armed again.
      jest.advanceTimersByTime(100);
      expect(queue.throttleCheckTimeoutId).toBeNull();
      expect(jest.getTimerCount()).toBe(0);
      queue.destroy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('given a throttled connection, when the throttle ends, then the waiting request is sent', () => {
    jest.useFakeTimers();
    try {
      const sent: number[] = [];
      const { queue, push } = requestQueue(5, sent);
      queue.maybeThrottle(50);
      push(1);
      expect(sent).toEqual([]);
      jest.advanceTimersByTime(60);
      expect(sent).toEqual([1]);
      queue.destroy();
    } finally {
      jest.useRealTimers();
    }
  });

  it('given an idle consumer, when a fetch brings nothing, then the next one long-polls for one byte', async () => {
    const asked: Array<[number, number]> = [];
    const group = consumerGroupFetching([0, 0, 3, 2, 0], asked);
    for (let fetch = 0; fetch < 6; fetch++) await group.fetch(1);
    expect(asked).toEqual([
      [25, 128 * 1024], // the consumer's own batching
      [500, 1], // after an empty fetch: answered as soon as a record is there
      [500, 1],
      [25, 128 * 1024], // records came: batching again
      [25, 128 * 1024],
      [500, 1],
    ]);
  });
});
