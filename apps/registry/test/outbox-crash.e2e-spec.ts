import { getDataSourceToken } from '@nestjs/typeorm';
import { Topics } from '@tracker/contracts';
import { TopicReader } from '@tracker/kafka';
import { eventually, startTestApp, TestApp } from '@tracker/testing';
import { DataSource } from 'typeorm';
import { RegistryOutboxRelay } from '../src/outbox/outbox-relay';
import { RegistryModule } from '../src/registry.module';
import {
  apiClient,
  expectedSnapshot,
  IntegrationView,
  latest,
  startReader,
} from './registry-test-kit';

const pending = async (app: TestApp): Promise<number> => {
  const dataSource = app.app.get<DataSource>(getDataSourceToken('registry'));
  const [row] = await dataSource.query(
    'SELECT count(*)::int AS n FROM registry.outbox WHERE published_at IS NULL',
  );
  return row.n as number;
};

describe('outbox: a crash between the database commit and the snapshot publish', () => {
  let first: TestApp | undefined;
  let second: TestApp | undefined;
  let third: TestApp | undefined;
  let integrations: TopicReader;
  let accounts: TopicReader;

  beforeAll(async () => {
    [integrations, accounts] = await Promise.all([
      startReader(Topics.Integrations),
      startReader(Topics.Accounts),
    ]);
  });

  afterAll(async () => {
    await Promise.all([integrations?.stop(), accounts?.stop()]);
    await first?.close();
    await second?.close();
    await third?.close();
  });

  it('ends with the topics equal to the database once a fresh instance starts', async () => {
    first = await startTestApp({ name: 'registry', features: [RegistryModule] });
    const api = apiClient(first.baseUrl);
    const account = await api<{ id: string; apiKey: string }>('POST', '/api/accounts', {
      key: first.config.adminToken,
      body: { name: 'Crash test' },
    });
    const created = await api<IntegrationView>('POST', '/api/integrations', {
      key: account.body.apiKey,
      body: { template: 'pocket-option-revshare', name: 'Before the crash' },
    });
    const id = created.body.id;
    await eventually(() =>
      expect(latest(integrations, id)?.event?.payload).toEqual(
        expectedSnapshot(account.body.id, created.body),
      ),
    );

    // The relay dies: changes commit with their outbox rows, nothing reaches Kafka. (A disable,
    // delete or revocation publishes before its commit instead: see acknowledged-change.int-spec.)
    await first.app.get(RegistryOutboxRelay).pause();
    const patched = await api('PATCH', `/api/integrations/${id}`, {
      key: account.body.apiKey,
      body: { name: 'After the crash', amountParam: 'amount' },
    });
    expect(patched.status).toBe(200);
    const link = await api('POST', `/api/integrations/${id}/registration-links`, {
      key: account.body.apiKey,
      body: { name: 'Main', baseUrl: 'https://u3.shortink.io/smart/mByVsLe71bbFFH' },
    });
    expect(link.status).toBe(201);
    const newKey = await api<{ apiKey: string }>('POST', '/api/api-keys', {
      key: account.body.apiKey,
    });
    expect(newKey.status).toBe(201);
    expect(await pending(first)).toBe(3);
    expect(latest(integrations, id)?.event?.payload).toMatchObject({ name: 'Before the crash' });
    const databaseUrl = first.config.databaseUrl;
    await first.close();
    first = undefined;

    // A fresh instance on the same database heals it at start-up.
    second = await startTestApp({ name: 'registry', features: [RegistryModule], databaseUrl });
    const api2 = apiClient(second.baseUrl);
    await eventually(async () => expect(await pending(second!)).toBe(0));
    const view = await api2<IntegrationView>('GET', `/api/integrations/${id}`, {
      key: account.body.apiKey,
    });
    expect(view.body).toMatchObject({ name: 'After the crash', amountParam: 'amount' });
    expect(view.body.registrationLinks).toHaveLength(1);
    await eventually(() =>
      expect(latest(integrations, id)?.event?.payload).toEqual(
        expectedSnapshot(account.body.id, view.body),
      ),
    );
    await eventually(() =>
      expect(latest(accounts, account.body.id)?.event?.payload).toMatchObject({
        apiKeys: [expect.anything(), expect.anything()],
      }),
    );
    expect((await api2('GET', '/api/integrations', { key: newKey.body.apiKey })).status).toBe(200);
  });

  it('publishes the pending older snapshots of a key before a disable, never after it', async () => {
    third = await startTestApp({ name: 'registry', features: [RegistryModule] });
    const api = apiClient(third.baseUrl);
    const account = await api<{ id: string; apiKey: string }>('POST', '/api/accounts', {
      key: third.config.adminToken,
      body: { name: 'Order test' },
    });
    const created = await api<IntegrationView>('POST', '/api/integrations', {
      key: account.body.apiKey,
      body: { template: 'pocket-option-revshare', name: 'First' },
    });
    const id = created.body.id;
    await eventually(() => expect(latest(integrations, id)?.event?.payload).toBeDefined());

    // A rename stays in the outbox (relay stopped); the disable that follows must not be
    // overtaken by it on the compacted topic.
    await third.app.get(RegistryOutboxRelay).pause();
    const renamed = await api('PATCH', `/api/integrations/${id}`, {
      key: account.body.apiKey,
      body: { name: 'Renamed' },
    });
    expect(renamed.status).toBe(200);
    expect(await pending(third)).toBe(1);
    const disabled = await api('PATCH', `/api/integrations/${id}`, {
      key: account.body.apiKey,
      body: { enabled: false },
    });
    expect(disabled.status).toBe(200);
    expect(await pending(third)).toBe(0);
    await eventually(() =>
      expect(
        integrations.messages
          .filter((message) => message.key === id)
          .slice(-2)
          .map((message) => message.event?.payload),
      ).toEqual([
        expect.objectContaining({ name: 'Renamed', enabled: true }),
        expect.objectContaining({ name: 'Renamed', enabled: false }),
      ]),
    );
  });
});
