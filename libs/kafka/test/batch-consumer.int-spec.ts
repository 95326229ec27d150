import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { dlqTopic, PostbackReceivedEvent } from '@tracker/contracts';
import { createTestDatabase, eventually } from '@tracker/testing';
import { BatchConsumer, BatchHandler } from '../src/batch-consumer';
import { EventProducer } from '../src/event-producer';
import { ConsumedEvent } from '../src/message-codec';
import { TopicReader } from '../src/topic-reader';
import { fetchWatermarks } from '../src/topic-range-reader';
import { MAX_MESSAGE_BYTES } from '../src/message-size';
import {
  createTestTopic,
  PROJECTION_DDL,
  projectBatch,
  samplePostback,
  testKafka,
} from './kafka-test-kit';

const kafka = testKafka();
let producer: EventProducer;
let db: Client;
let databaseUrl: string;
const running: BatchConsumer[] = [];

async function rows(): Promise<Array<{ n: number; deliveries: number }>> {
  const result = await db.query('SELECT n, deliveries FROM projected ORDER BY n');
  return result.rows;
}

function consumer(
  topic: string,
  groupId: string,
  handle: BatchHandler,
  options: { commitBehind?: boolean; onStop?: () => Promise<void> } = {},
) {
  const c = new BatchConsumer(kafka, producer, {
    name: 'test',
    groupId,
    topics: [topic],
    handle,
    maxAttempts: 3,
    retryBackoffMs: 10,
    ...options,
  });
  running.push(c);
  return c;
}

const asEvents = (messages: ConsumedEvent[]) =>
  messages.map((m) => m.event as PostbackReceivedEvent);

beforeAll(async () => {
  producer = new EventProducer(kafka);
  await producer.connect();
});

beforeEach(async () => {
  databaseUrl = await createTestDatabase('kafka_lib');
  db = new Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(PROJECTION_DDL);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
  await db.end();
});

afterAll(async () => {
  await producer.disconnect();
});

describe('BatchConsumer on the real broker', () => {
  it('projects produced events into PostgreSQL, batch by batch', async () => {
    const topic = await createTestTopic('flow');
    const events = Array.from({ length: 300 }, (_, n) => samplePostback(`click${n % 17}abcdef`, n));
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: event.payload.clickId! })),
    );
    const batchSizes: number[] = [];
    await consumer(topic, `g.${randomUUID()}`, async (messages) => {
      batchSizes.push(messages.length);
      await projectBatch(db, asEvents(messages));
    }).start();

    await eventually(async () => expect((await rows()).length).toBe(300));
    expect((await rows()).every((r) => r.deliveries === 1)).toBe(true);
    // The handler saw batches, not single messages.
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
  });

  it('dead-letters a poison message with its reason and keeps the partition flowing', async () => {
    const topic = await createTestTopic('poison', 1);
    const events = Array.from({ length: 20 }, (_, n) => samplePostback('sameclick123', n));
    const poison = events[7];
    let poisonAttempts = 0;
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: 'sameclick123' })),
    );
    // A message that is not even valid JSON must also be dead-lettered, not crash the consumer.
    await producer.send(topic, [{ key: 'sameclick123', value: '{not json' }]);
    const after = samplePostback('sameclick123', 100);
    await producer.publish(topic, after, 'sameclick123');

    await consumer(topic, `g.${randomUUID()}`, async (messages) => {
      if (messages.some((m) => m.event?.id === poison.id)) {
        poisonAttempts++;
        throw new Error(`cannot project event ${poison.id}`);
      }
      await projectBatch(db, asEvents(messages));
    }).start();

    await eventually(async () => expect((await rows()).map((r) => r.n)).toContain(100));
    expect((await rows()).map((r) => r.n)).toEqual([
      ...Array.from({ length: 20 }, (_, n) => n).filter((n) => n !== 7),
      100,
    ]);
    // Tried as part of the batch, then alone: 3 attempts each.
    expect(poisonAttempts).toBe(6);

    const dlq = await new TopicReader(kafka, dlqTopic(topic)).start();
    try {
      await eventually(() => expect(dlq.messages.length + dlq.undecodable.length).toBe(2));
    } finally {
      await dlq.stop();
    }
    const letters = [...dlq.messages].map((m) => m.headers);
    expect(letters).toHaveLength(1);
    expect(letters[0]['dlq.reason']).toContain(`cannot project event ${poison.id}`);
    expect(letters[0]['dlq.step']).toBe('test');
    expect(letters[0]['dlq.topic']).toBe(topic);
    expect(Date.parse(letters[0]['dlq.time'])).not.toBeNaN();
    expect(dlq.messages[0].event?.id).toBe(poison.id);
    // The non-JSON message stays non-JSON on the DLQ, with its reason in the headers.
    expect(dlq.undecodable).toHaveLength(1);
  });

  it('redelivers after a crash between the database commit and the offset commit, without duplicates', async () => {
    const topic = await createTestTopic('crash', 1);
    const groupId = `g.${randomUUID()}`;
    const events = Array.from({ length: 50 }, (_, n) => samplePostback('crashclick12', n));
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: 'crashclick12' })),
    );

    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        path.join(__dirname, 'crash-after-db-commit.fixture.ts'),
        topic,
        groupId,
        databaseUrl,
      ],
      {
        cwd: path.join(__dirname, '../../..'),
        env: process.env,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    expect(signal).toBe('SIGKILL');
    expect(output).toMatch(/committed \d+/);
    const committedBeforeCrash = (await rows()).length;
    expect(committedBeforeCrash).toBeGreaterThan(0);

    // Same group: the offsets were never committed, so the batch comes again.
    await consumer(topic, groupId, async (messages) =>
      projectBatch(db, asEvents(messages)),
    ).start();
    await eventually(async () => {
      const all = await rows();
      expect(all.length).toBe(50);
      // Exactly the rows committed before the crash came twice; the upsert kept one row each.
      expect(all.filter((r) => r.deliveries === 2).length).toBe(committedBeforeCrash);
    });
    expect((await rows()).every((r) => r.deliveries <= 2)).toBe(true);
  });

  it.each([
    ['in line', false],
    ['behind the handler', true],
  ])(
    'finishes and commits the batch in hand on shutdown, so a successor loses and repeats nothing (commits %s)',
    async (_, commitBehind) => {
      const topic = await createTestTopic('shutdown', 1);
      const groupId = `g.${randomUUID()}`;
      const events = Array.from({ length: 200 }, (_, n) => samplePostback('stopclick123', n));
      await producer.publishMany(
        topic,
        events.map((event) => ({ event, key: 'stopclick123' })),
      );

      let release!: () => void;
      const inHandler = new Promise<void>((resolve) => (release = resolve));
      const first = consumer(
        topic,
        groupId,
        async (messages) => {
          release();
          await new Promise((resolve) => setTimeout(resolve, 300)); // a slow transaction in flight
          await projectBatch(db, asEvents(messages));
        },
        { commitBehind },
      );
      await first.start();
      await inHandler;
      await first.stop();
      const afterStop = (await rows()).length;
      expect(afterStop).toBeGreaterThan(0);

      await consumer(topic, groupId, async (messages) =>
        projectBatch(db, asEvents(messages)),
      ).start();
      await eventually(async () => expect((await rows()).length).toBe(200));
      expect((await rows()).every((r) => r.deliveries === 1)).toBe(true);
    },
  );

  it("commits behind the handler: the group's offsets reach the end while it runs", async () => {
    const topic = await createTestTopic('behind', 2);
    const groupId = `g.${randomUUID()}`;
    const events = Array.from({ length: 300 }, (_, n) => samplePostback(`behind${n % 7}abcde`, n));
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: event.payload.clickId! })),
    );
    await consumer(topic, groupId, async (messages) => projectBatch(db, asEvents(messages)), {
      commitBehind: true,
    }).start();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await eventually(async () => {
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        expect(
          committed.partitions.map((p) => [p.partition, p.offset]).sort((a, b) => +a[0] - +b[0]),
        ).toEqual(ends.map((e) => [e.partition, e.offset]).sort((a, b) => +a[0] - +b[0]));
      });
      expect((await rows()).length).toBe(300);
    } finally {
      await admin.disconnect();
    }
  });

  /** The group's committed offset of a one-partition topic ('-1': none yet). */
  async function committedOffset(groupId: string, topic: string): Promise<string> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed.partitions[0].offset;
    } finally {
      await admin.disconnect();
    }
  }

  it('commits a deferred write only once it is written, and a stop has the rest written first', async () => {
    const topic = await createTestTopic('deferred', 1);
    const groupId = `g.${randomUUID()}`;
    const events = Array.from({ length: 40 }, (_, n) => samplePostback('deferclick12', n));
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: 'deferclick12' })),
    );
    // Given a handler that accepts every batch but writes it only when the test says so,
    const pending: Array<() => Promise<void>> = [];
    const first = consumer(
      topic,
      groupId,
      async (messages) => {
        let write!: () => Promise<void>;
        const written = new Promise<void>((resolve, reject) => {
          write = () => projectBatch(db, asEvents(messages)).then(resolve, reject);
        });
        pending.push(write);
        return { written };
      },
      // On stop the handler writes what it still holds.
      {
        commitBehind: true,
        onStop: async () => void (await Promise.all(pending.splice(1).map((w) => w()))),
      },
    );
    await first.start();
    await eventually(() => expect(pending.length).toBeGreaterThan(0));

    // then nothing is committed while the writes are deferred;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await committedOffset(groupId, topic)).toBe('-1');

    // when the first batch is written, its offsets are committed,
    const firstCount = (await pending[0]().then(rows)).length;
    await eventually(async () =>
      expect(await committedOffset(groupId, topic)).toBe(String(firstCount)),
    );

    // and a stop has the others written before its last commit.
    await first.stop();
    expect((await rows()).length).toBe(40);
    expect(await committedOffset(groupId, topic)).toBe('40');
  });

  it('reads a partition again from its last commit when a deferred write fails', async () => {
    const topic = await createTestTopic('deferred-fail', 1);
    const groupId = `g.${randomUUID()}`;
    const events = Array.from({ length: 30 }, (_, n) => samplePostback('deferfail123', n));
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: 'deferfail123' })),
    );
    // Given a handler whose first deferred write fails after a while (as a held postback's
    // write would while the database is away), and that writes in line after that,
    let failed = false;
    const seen: number[] = [];
    await consumer(
      topic,
      groupId,
      async (messages) => {
        seen.push(...asEvents(messages).map((event) => Number(event.payload.query.n)));
        if (failed) return projectBatch(db, asEvents(messages));
        failed = true;
        const written = new Promise<void>((_, reject) =>
          setTimeout(() => reject(new Error('database down')), 300),
        );
        return { written };
      },
      { commitBehind: true },
    ).start();

    // then the messages of the failed write come again, are written, and committed.
    await eventually(async () => expect((await rows()).length).toBe(30));
    await eventually(async () => expect(await committedOffset(groupId, topic)).toBe('30'));
    expect(seen.filter((n) => n === 0).length).toBe(2);
    expect((await rows()).every((r) => r.deliveries === 1)).toBe(true);
  });

  it('leaves the batch uncommitted, dead-letters nothing, when stopped while the database is down', async () => {
    const topic = await createTestTopic('outage-stop', 1);
    const groupId = `g.${randomUUID()}`;
    const events = Array.from({ length: 30 }, (_, n) => samplePostback('outageclick1', n));
    await producer.publishMany(
      topic,
      events.map((event) => ({ event, key: 'outageclick1' })),
    );
    let calls = 0;
    const down = consumer(topic, groupId, async () => {
      calls++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    });
    await down.start();
    await eventually(() => expect(calls).toBeGreaterThan(0));

    await down.stop();

    const { end } = await fetchWatermarks(kafka, [dlqTopic(topic)]);
    expect([...end.values()].reduce((sum, offset) => sum + offset, 0n)).toBe(0n);
    await consumer(topic, groupId, async (messages) =>
      projectBatch(db, asEvents(messages)),
    ).start();
    await eventually(async () => expect((await rows()).length).toBe(30));
    expect((await rows()).every((r) => r.deliveries === 1)).toBe(true);
  });

  it('relaunches itself after a crash kafkajs does not restart, and says why meanwhile', async () => {
    const topic = await createTestTopic('crash-restart', 1);
    // The broker refuses a session timeout under its minimum (6 s) with a non-retriable error:
    // kafkajs then stops the consumer for good.
    const crashing = new BatchConsumer(kafka, producer, {
      name: 'crashing',
      groupId: `g.${randomUUID()}`,
      topics: [topic],
      handle: async () => undefined,
      sessionTimeoutMs: 1000,
    });
    running.push(crashing);
    await crashing.start();

    await eventually(() => expect(crashing.health).toMatch(/^crashed \(.+\); restarting/));
    await eventually(() => expect(crashing.crashes).toBeGreaterThanOrEqual(2), {
      timeoutMs: 20_000,
    });
  });

  it('dead-letters a message whose copy with DLQ headers would exceed the broker limit', async () => {
    const topic = await createTestTopic('near-limit', 1);
    const nearLimit = 'x'.repeat(MAX_MESSAGE_BYTES - 200);
    await producer.send(topic, [{ key: 'big', value: nearLimit }]);
    const after = samplePostback('nearlimit123', 1);
    await producer.publish(topic, after, 'nearlimit123');

    await consumer(topic, `g.${randomUUID()}`, async (messages) =>
      projectBatch(db, asEvents(messages)),
    ).start();

    await eventually(async () => expect((await rows()).map((r) => r.n)).toEqual([1]));
    const dlq = await new TopicReader(kafka, dlqTopic(topic)).start();
    try {
      await eventually(() => expect(dlq.undecodable.length).toBe(1));
    } finally {
      await dlq.stop();
    }
  });
});
