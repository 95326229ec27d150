import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createEvent, Topics } from '@tracker/contracts';
import { ConsumedEvent } from '@tracker/kafka';
import { compareSchemas, ReplayRefusedError, runReplay } from '@tracker/replay';
import {
  closeSeedProducer,
  eventually,
  seedProducer,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { liveGroupsAtEnd, waitForReplayLock } from '../../../../libs/replay/test/replay-test-kit';
import { apiClient, IntegrationView } from '../../test/registry-test-kit';
import { POSTBACK_STATS_CONSUMER } from '../postback-stats/postback-stats.writer';
import { RegistryModule } from '../registry.module';
import { registryReplay } from './registry.replay';

interface Account {
  id: string;
  name: string;
  apiKey: string;
}

describe('replay registry (Kafka + PostgreSQL)', () => {
  let testApp: TestApp;
  let api: ReturnType<typeof apiClient>;
  let groupPrefix: string;
  let from: Map<string, bigint>;
  let a: Account;
  let b: Account;
  let integration: IntegrationView;
  /** Accounts and integrations of this suite: the shared topics also carry other suites'. */
  const ours = new Set<string>();

  const options = () => ({
    databaseUrl: testApp.config.databaseUrl,
    brokers: testApp.config.kafkaBrokers,
    groupPrefix,
    from,
    accept: (m: ConsumedEvent) => (m.event ? ours.has(m.event.accountId) : ours.has(m.key ?? '')),
    out: () => undefined,
    progress: { write: () => true },
  });
  const createAccount = async (name: string): Promise<Account> => {
    const res = await api<Account>('POST', '/api/accounts', {
      key: testApp.config.adminToken,
      body: { name },
    });
    expect(res.status).toBe(201);
    ours.add(res.body.id);
    return res.body;
  };
  const createIntegration = async (account: Account): Promise<IntegrationView> => {
    const res = await api<IntegrationView>('POST', '/api/integrations', {
      key: account.apiKey,
      body: { template: 'pocket-option-revshare' },
    });
    expect(res.status).toBe(201);
    ours.add(res.body.id);
    return res.body;
  };
  const postbacks = async (count: number, event: string) => {
    const producer = await seedProducer();
    const receivedAt = new Date().toISOString();
    await producer.publishMany(
      Topics.Postbacks,
      Array.from({ length: count }, () => ({
        key: integration.id,
        event: createEvent(
          'PostbackReceived',
          {
            method: 'GET',
            url: `/api/postbacks/${integration.id}/tracker-postback?tracker.event=${event}`,
            query: { 'tracker.event': event },
            body: null,
            remoteAddress: null,
            userAgent: null,
            event,
            clickId: null,
            receivedAt,
          },
          { accountId: a.id, integrationId: integration.id },
        ),
      })),
    );
  };
  const views = async () => ({
    integrations: (await api('GET', '/api/integrations', { key: a.apiKey })).body,
    keysA: (await api('GET', '/api/api-keys', { key: a.apiKey })).body,
    keysB: (await api('GET', '/api/api-keys', { key: b.apiKey })).body,
    links: (
      await api('GET', `/api/integrations/${integration.id}/registration-links`, {
        key: a.apiKey,
      })
    ).body,
  });

  beforeAll(async () => {
    groupPrefix = `test.replay-registry.${randomBytes(4).toString('hex')}`;
    from = await liveGroupsAtEnd(
      [`${groupPrefix}.${POSTBACK_STATS_CONSUMER}`],
      [Topics.Accounts, Topics.Integrations, Topics.Postbacks],
    );
    testApp = await startTestApp({
      name: 'replay-registry',
      features: [RegistryModule],
      groupPrefix,
    });
    api = apiClient(testApp.baseUrl);
    [a, b] = [await createAccount('Replay A'), await createAccount('Replay B')];
    integration = await createIntegration(a);
    const removed = await createIntegration(b);
    expect((await api('DELETE', `/api/integrations/${removed.id}`, { key: b.apiKey })).status).toBe(
      204,
    );
    const link = await api('POST', `/api/integrations/${integration.id}/registration-links`, {
      key: a.apiKey,
      body: { name: 'Main', baseUrl: 'https://partner.example/register?code=X1' },
    });
    expect(link.status).toBe(201);
    expect((await api('POST', '/api/api-keys', { key: b.apiKey, body: {} })).status).toBe(201);
    await postbacks(3, 'registration');
    await postbacks(2, 'conf');
    await eventually(async () => {
      const res = await api<IntegrationView>('GET', `/api/integrations/${integration.id}`, {
        key: a.apiKey,
      });
      const counts = Object.fromEntries(res.body.events.map((e) => [e.name, e.receivedCount]));
      expect(counts).toMatchObject({ registration: 3, conf: 2 });
    });
  });

  afterAll(async () => {
    await testApp?.close();
    await closeSeedProducer();
  });

  it('rebuilds accounts, integrations and counts from the topics and switches', async () => {
    const before = await views();
    const first = runReplay(registryReplay(), options());
    await waitForReplayLock(testApp.config.databaseUrl, 'registry');
    await expect(runReplay(registryReplay(), options())).rejects.toBeInstanceOf(ReplayRefusedError);
    const result = await first;
    expect(result.comparison.every((table) => table.equal)).toBe(true);
    expect(result.comparison.find((t) => t.table === 'accounts')?.liveRows).toBe(2);
    expect(await views()).toEqual(before);

    const db = new Client({ connectionString: testApp.config.databaseUrl });
    await db.connect();
    try {
      const equal = await compareSchemas(
        db,
        result.oldSchema,
        'registry',
        registryReplay().compare,
      );
      expect(equal.every((table) => table.equal)).toBe(true);
      // Nothing was queued for publishing by the replay.
      expect((await db.query('SELECT 1 FROM registry.outbox')).rowCount).toBe(0);
    } finally {
      await db.end();
    }

    // The live registry keeps working on the new tables: changes, their snapshots, counts.
    const renamed = await api<IntegrationView>('PATCH', `/api/integrations/${integration.id}`, {
      key: a.apiKey,
      body: { name: 'Renamed after replay' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed after replay');
    await postbacks(1, 'registration');
    await eventually(async () => {
      const res = await api<IntegrationView>('GET', `/api/integrations/${integration.id}`, {
        key: a.apiKey,
      });
      expect(res.body.name).toBe('Renamed after replay');
      expect(res.body.events.find((e) => e.name === 'registration')?.receivedCount).toBe(4);
    });
  });
});
