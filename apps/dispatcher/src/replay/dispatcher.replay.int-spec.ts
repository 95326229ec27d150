import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@tracker/contracts';
import { ConsumedEvent, fetchWatermarks } from '@tracker/kafka';
import { runReplay } from '@tracker/replay';
import {
  closeSeedProducer,
  eventually,
  seedProducer,
  HttpReceiver,
  seedAccount,
  SeededAccount,
  startTestApp,
  TestApp,
  testKafka,
} from '@tracker/testing';
import { publishConversion, publishDestination } from '../../test/dispatcher-test-kit';
import { liveGroupsAtEnd } from '../../../../libs/replay/test/replay-test-kit';
import { DispatcherModule } from '../dispatcher.module';
import { DISPATCHER_GROUP } from '../scheduling/delivery-scheduler';
import { dispatcherReplay } from './dispatcher.replay';

describe('replay dispatcher: the deliveries log from tracker.deliveries.v1 (Kafka + PostgreSQL)', () => {
  let app: TestApp;
  let receiver: HttpReceiver;
  let account: SeededAccount;
  let from: Map<string, bigint>;

  const api = async <T>(path: string) => {
    const response = await fetch(`${app.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${account.apiKey}` },
    });
    return (await response.json()) as T;
  };
  const log = async () => {
    const page = await api<{ items: Array<{ id: string; status: string }> }>(
      '/api/deliveries?limit=500',
    );
    const details = await Promise.all(page.items.map((item) => api(`/api/deliveries/${item.id}`)));
    return details;
  };

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    // The topics are shared with other suites: the live model starts at the conversions' end,
    // so it holds this suite's deliveries only.
    await seedProducer(); // creates the topics on a fresh broker
    const groupPrefix = `test.dispatcher-replay.${randomBytes(4).toString('hex')}`;
    await liveGroupsAtEnd([`${groupPrefix}.${DISPATCHER_GROUP}`], [Topics.Conversions]);
    app = await startTestApp({
      name: 'dispatcher-replay',
      features: [DispatcherModule],
      groupPrefix,
      config: { destinationsAllowPrivate: true },
    });
    // The topic is shared with other suites: the replay starts where this suite does.
    ({ end: from } = await fetchWatermarks(testKafka('dispatcher-replay'), [Topics.Deliveries]));
    account = await seedAccount('Replayed');
  });

  afterAll(async () => {
    await app?.close();
    await receiver?.stop();
    await closeSeedProducer();
  });

  it('rebuilds the same log, switches, and sends and publishes nothing', async () => {
    receiver.script('/rejects', [{ status: 400, body: 'bad' }]);
    receiver.script('/flaky', [{ status: 503 }, { status: 200 }]);
    const integrationId = randomUUID();
    for (const path of ['/ok', '/rejects', '/flaky']) {
      await publishDestination(account.account.id, {
        url: `${receiver.baseUrl}${path}?c={clickid}`,
        stages: ['registration', 'first_deposit'],
      });
    }
    await publishConversion(account.account.id, integrationId);
    await publishConversion(account.account.id, integrationId, {
      stage: 'registration',
      kind: 'registration',
      ordinal: null,
      amount: null,
      currency: null,
      event: 'registration',
    });
    await eventually(
      async () => {
        const page = await api<{ items: Array<{ status: string }> }>('/api/deliveries');
        expect(page.items.map((d) => d.status).sort()).toEqual([
          'delivered',
          'delivered',
          'delivered',
          'delivered',
          'failed',
          'failed',
        ]);
      },
      { timeoutMs: 30_000 },
    );
    const before = await log();
    const sent = receiver.requests.length;
    const published = (await fetchWatermarks(testKafka('dispatcher-replay'), [Topics.Deliveries]))
      .end;

    const result = await runReplay(dispatcherReplay(), {
      databaseUrl: app.config.databaseUrl,
      brokers: app.config.kafkaBrokers,
      groupPrefix: app.config.kafkaGroupPrefix,
      from,
      accept: (m: ConsumedEvent) => m.event?.accountId === account.account.id,
      out: () => undefined,
      progress: { write: () => true },
    });
    expect(result.comparison.map((t) => [t.table, t.equal, t.liveRows])).toEqual([
      ['deliveries', true, 6],
      ['delivery_attempts', true, 7],
    ]);
    expect(await log()).toEqual(before);
    // Nothing sent again, nothing published again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.requests.length).toBe(sent);
    expect(
      (await fetchWatermarks(testKafka('dispatcher-replay'), [Topics.Deliveries])).end,
    ).toEqual(published);
  });
});
