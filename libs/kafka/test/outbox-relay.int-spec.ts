/**
 * The one outbox relay every app uses (SPEC section 9), on a real PostgreSQL table and broker:
 * rows reach the topic in `seq` order per key, each once, whatever the rounds and replicas; a
 * round larger than one produce request is split, a row above the broker's limit is
 * dead-lettered instead of wedging the rows behind it; the relay lock keeps rounds out while a
 * change publishes its own keys in its transaction, and a bounded wait for it is refused.
 */
import { dlqTopic } from '@tracker/contracts';
import { createTestDatabase, eventually, TopicTail } from '@tracker/testing';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  EventProducer,
  MAX_MESSAGE_BYTES,
  OutboxLockTimeoutError,
  OutboxRelay,
  OutboxRelayOptions,
  outboxRelayProblems,
} from '../src';
import { createTestTopic, samplePostback, testKafka } from './kafka-test-kit';

const kafka = testKafka();
const TABLE = 'relay_spec.outbox';
let dataSource: DataSource;
let producer: EventProducer;
let lockKey = 9_100_000;
const relays: OutboxRelay[] = [];
const tails: TopicTail[] = [];

function relay(options: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const made = new OutboxRelay(producer, dataSource, {
    table: TABLE,
    lockKey,
    deadLetterStep: 'spec.outbox',
    batchRows: 2000,
    pollMs: 100,
    pruneIntervalMs: 60_000,
    lockWait: 'skip',
    drainOnShutdown: true,
    ...options,
  });
  relays.push(made);
  return made;
}

async function tail(topic: string): Promise<TopicTail> {
  const started = await new TopicTail(kafka, topic).start();
  tails.push(started);
  return started;
}

/** Enqueues one row as an app does; `value` null is a tombstone. Returns its seq. */
async function enqueue(topic: string, key: string, value: string | null): Promise<string> {
  const [row] = await dataSource.query(
    `INSERT INTO ${TABLE} (topic, message_key, event) VALUES ($1, $2, $3::json) RETURNING seq::text AS seq`,
    [topic, key, value],
  );
  return (row as { seq: string }).seq;
}

/** A contract event whose `n` tells its place; `padding` makes it large. */
function event(key: string, n: number, padding = 0): string {
  const made = samplePostback(key, n);
  if (padding > 0) made.payload.userAgent = 'u'.repeat(padding);
  return JSON.stringify(made);
}

const nOf = (value: Buffer | null): string =>
  value === null ? 'tombstone' : (JSON.parse(value.toString('utf8')).payload.query.n as string);

function byKey(records: TopicTail['records']): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const record of records) {
    const list = keys.get(record.key ?? '') ?? [];
    list.push(nOf(record.value));
    keys.set(record.key ?? '', list);
  }
  return keys;
}

beforeAll(async () => {
  dataSource = await new DataSource({
    type: 'postgres',
    url: await createTestDatabase('outbox-relay'),
  }).initialize();
  // The shape every app's migration gives its outbox (SPEC section 2: the app owns it).
  await dataSource.query(`CREATE SCHEMA relay_spec`);
  await dataSource.query(`
    CREATE TABLE ${TABLE} (
      seq bigserial PRIMARY KEY,
      topic text NOT NULL,
      message_key text NOT NULL,
      event json,
      created_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz
    )`);
  // Sequence numbers cross from two digits to three in the first test: rounds must follow
  // numeric order, not text order.
  await dataSource.query(`ALTER SEQUENCE relay_spec.outbox_seq_seq RESTART WITH 90`);
  producer = new EventProducer(kafka);
  await producer.connect();
});

beforeEach(() => {
  lockKey += 1; // each test's relays serialise among themselves only
});

afterEach(async () => {
  for (const made of relays.splice(0)) await made.pause();
  for (const started of tails.splice(0)) await started.stop();
});

afterAll(async () => {
  await producer?.disconnect();
  await dataSource?.destroy();
});

describe('OutboxRelay (libs/kafka)', () => {
  it.each(['skip', 'wait'] as const)(
    'given rows of three keys over many rounds and two replicas (lock %s), when relayed, then each key lands in seq order, once',
    async (lockWait) => {
      const topic = await createTestTopic(`relay-order-${lockWait}`, 2);
      const topicTail = await tail(topic);
      const replicas = [relay({ batchRows: 7, lockWait }), relay({ batchRows: 7, lockWait })];
      let rounds = 0;
      replicas[0].onPublished(() => rounds++);
      replicas[1].onPublished(() => rounds++);
      for (const replica of replicas) replica.onApplicationBootstrap();

      const expected = new Map<string, string[]>();
      for (let n = 0; n < 60; n++) {
        const key = `k${n % 3}`;
        await enqueue(topic, key, event(key, n));
        expected.set(key, [...(expected.get(key) ?? []), String(n)]);
        if (n % 10 === 0) replicas[n % 2].kick();
      }
      // The delete marker of a compacted topic goes out as a null value, after the key's rows.
      await enqueue(topic, 'k0', null);
      expected.get('k0')!.push('tombstone');
      replicas[1].kick();

      await eventually(() => expect(topicTail.records).toHaveLength(61), { timeoutMs: 30_000 });
      expect(byKey(topicTail.records)).toEqual(expected);
      expect(await replicas[0].pendingCount()).toBe(0);
      expect(rounds).toBeGreaterThanOrEqual(9); // 61 rows at 7 a round
      const tombstone = topicTail.records.find((record) => record.value === null);
      expect(tombstone?.headers).toEqual({});
      expect(topicTail.records[0].headers).toEqual({
        type: 'PostbackReceived',
        version: '1',
      });
    },
  );

  it('given a round of 2 MB with a row above the broker limit, when relayed, then it is split, the row dead-lettered and the rest published in order', async () => {
    const topic = await createTestTopic('relay-size', 1);
    const topicTail = await tail(topic);
    const dlqTail = await tail(dlqTopic(topic));
    const expected: string[] = [];
    for (let n = 0; n < 20; n++) {
      if (n === 10) {
        const big = await enqueue(topic, 'same', event('same', 999, MAX_MESSAGE_BYTES));
        expect(big).toBeDefined();
      }
      await enqueue(topic, 'same', event('same', n, 100_000));
      expected.push(String(n));
    }
    const relayed = relay();

    relayed.onApplicationBootstrap();

    await eventually(() => expect(topicTail.records).toHaveLength(20), { timeoutMs: 30_000 });
    expect(byKey(topicTail.records).get('same')).toEqual(expected);
    await eventually(() => expect(dlqTail.records).toHaveLength(1));
    expect(dlqTail.records[0].headers).toMatchObject({
      'dlq.step': 'spec.outbox',
      'dlq.reason': expect.stringMatching(/exceeds the broker limit/),
    });
    expect(JSON.parse(dlqTail.records[0].value!.toString('utf8'))).toMatchObject({
      type: 'PostbackReceived',
    });
    await eventually(async () => expect(await relayed.pendingCount()).toBe(0));
  });

  it('given a change holding the relay lock, when rounds and a second change try, then the rounds wait, the change times out, and the holder publishes only its keys up to its row', async () => {
    const topic = await createTestTopic('relay-lock', 1);
    const topicTail = await tail(topic);
    const round = relay();
    round.ackTimeoutMs = 300;
    const other = relay();
    const a1 = await enqueue(topic, 'a', event('a', 1));
    const b1 = await enqueue(topic, 'b', event('b', 2));
    const a2 = await enqueue(topic, 'a', event('a', 3));

    await dataSource.transaction(async (manager) => {
      await round.lockWithin(manager, 1000);
      const started = Date.now();
      await expect(
        dataSource.transaction((second) => other.lockWithin(second, 300)),
      ).rejects.toBeInstanceOf(OutboxLockTimeoutError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      // A round cannot take the lock meanwhile: the rows stay pending.
      expect(await round.publishAndWait([b1])).toBe(false);

      expect(await round.publishKeysInTransaction(manager, [a2], Date.now() + 5000)).toBe(2);
    });

    await eventually(() => expect(byKey(topicTail.records)).toEqual(new Map([['a', ['1', '3']]])));
    const pending = await dataSource.query(
      `SELECT seq::text AS seq FROM ${TABLE} WHERE published_at IS NULL AND seq = ANY($1::bigint[])`,
      [[a1, b1, a2]],
    );
    expect(pending).toEqual([{ seq: b1 }]);
    round.ackTimeoutMs = 10_000;
    expect(await round.publishAndWait([b1])).toBe(true);
    await eventually(() =>
      expect(byKey(topicTail.records)).toEqual(
        new Map([
          ['a', ['1', '3']],
          ['b', ['2']],
        ]),
      ),
    );
  });

  it('given a paused relay (a crash after commit), when another relay starts, then it publishes what was left', async () => {
    const topic = await createTestTopic('relay-crash', 1);
    const topicTail = await tail(topic);
    const crashed = relay();
    await crashed.pause();
    await enqueue(topic, 'c', event('c', 1));
    crashed.kick();
    expect(await crashed.publishAndWait(['0'])).toBe(false);
    expect(await crashed.pendingCount()).toBeGreaterThan(0);

    relay().onApplicationBootstrap();

    await eventually(() => expect(byKey(topicTail.records).get('c')).toEqual(['1']));
  });

  it("given published: 'delete', when rows are acknowledged, then they leave the table and their waiters resolve", async () => {
    const topic = await createTestTopic('relay-delete', 1);
    const topicTail = await tail(topic);
    const deleting = relay({ published: 'delete' });
    const seqs = [
      await enqueue(topic, 'd', event('d', 1)),
      await enqueue(topic, 'd', event('d', 2)),
    ];

    expect(await deleting.publishAndWait(seqs)).toBe(true);

    await eventually(() => expect(byKey(topicTail.records).get('d')).toEqual(['1', '2']));
    const [{ n }] = await dataSource.query(
      `SELECT count(*)::int AS n FROM ${TABLE} WHERE seq = ANY($1::bigint[])`,
      [seqs],
    );
    expect(n).toBe(0);
    // A second relay waiting for rows the first one published and deleted is not left hanging.
    const other = relay({ published: 'delete' });
    other.ackTimeoutMs = 2_000;
    await other.pause();
    expect(await relay({ published: 'delete' }).publishAndWait(seqs)).toBe(true);
  });

  it('given rounds that fail, when the relay retries, then readiness and /metrics say why until it publishes again', async () => {
    const topic = await createTestTopic('relay-health', 1);
    const topicTail = await tail(topic);
    const failing = relay({ deadLetterStep: 'spec.health-outbox' });
    await enqueue(topic, 'h', event('h', 1));
    await dataSource.query(`ALTER TABLE ${TABLE} RENAME TO outbox_away`);
    try {
      failing.kick();
      await eventually(() =>
        expect(failing.health).toBe('failing (PostgreSQL error 42P01); retrying'),
      );
      expect(outboxRelayProblems()).toContain(
        'spec.health-outbox: failing (PostgreSQL error 42P01); retrying',
      );
      expect(await metricValue('spec.health-outbox')).toBe(0);
    } finally {
      await dataSource.query(`ALTER TABLE relay_spec.outbox_away RENAME TO outbox`);
    }

    failing.kick();

    await eventually(() => expect(byKey(topicTail.records).get('h')).toEqual(['1']));
    await eventually(() => expect(failing.health).toBeNull());
    expect(await metricValue('spec.health-outbox')).toBe(1);
  });
});

/** tracker_outbox_relay_up of one relay, from the process' Prometheus registry. */
async function metricValue(relayName: string): Promise<number | undefined> {
  const metric = (await register.getSingleMetric('tracker_outbox_relay_up')?.get()) as
    { values: Array<{ labels: { relay?: string }; value: number }> } | undefined;
  return metric?.values.find((v) => v.labels.relay === relayName)?.value;
}
