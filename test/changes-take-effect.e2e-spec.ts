import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { getDataSourceToken } from '@nestjs/typeorm';
import { ensureLocalKafka, findRepoRoot, stopLocalKafka } from '@tracker/local-infra';
import { eventually, freePort, startTestApp, TestApp } from '@tracker/testing';
import { DataSource } from 'typeorm';
import { IngressModule } from '../apps/ingress/src/ingress.module';
import { RegistryModule } from '../apps/registry/src/registry.module';
import { apiClient, ApiResult, IntegrationView } from '../apps/registry/test/registry-test-kit';

// A broker of its own, to stop while the changes are tried (the run's broker serves the others).
const BROKER = {
  port: 0,
  controllerPort: 0,
  dataDir: mkdtempSync(path.join(tmpdir(), 'tracker-effect-')),
  libsDir: path.join(findRepoRoot(), '.data', 'kafka', 'libs'),
  log: () => undefined,
};

/** SPEC section 9: every replica applies an acknowledged change within 1 s of the answer. */
const REPLICA_DEADLINE_MS = 1000;

describe('changes that must take effect (SPEC 9): revoke, disable, delete', () => {
  // Deleting an account, a registration link or an event removes access too.
  let doomed: { id: string; apiKey: string };
  let doomedIntegration: IntegrationView;
  let link: { id: string };
  let registry: TestApp;
  let ingress: TestApp;
  let api: ReturnType<typeof apiClient>;
  let account: { id: string; apiKey: string };
  let spareKey: { id: string; apiKey: string };
  let toDisable: IntegrationView;
  let toDelete: IntegrationView;
  let destination: { id: string };

  const probe = async (integrationId: string): Promise<number> =>
    (
      await fetch(
        `${ingress.baseUrl}/api/postbacks/${integrationId}/tracker-postback?tracker.event=registration`,
        { method: 'HEAD' },
      )
    ).status;
  const redirect = async (linkId: string): Promise<number> =>
    (await fetch(`${ingress.baseUrl}/r/${linkId}`, { redirect: 'manual' })).status;
  const registryRow = async (sql: string, params: unknown[]) => {
    const dataSource = registry.app.get<DataSource>(getDataSourceToken('registry'));
    const [row] = await dataSource.query(sql, params);
    return row as Record<string, unknown> | undefined;
  };
  const expect503 = (res: ApiResult) => {
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ statusCode: 503, message: expect.stringMatching(/Kafka/) });
  };
  /** Awaits the answer, then gives the replica 1 s from that moment. */
  const withinOneSecond = async (answered: number, assertion: () => Promise<void>) => {
    await eventually(assertion, {
      timeoutMs: Math.max(0, answered + REPLICA_DEADLINE_MS - Date.now()),
      intervalMs: 20,
    });
  };

  beforeAll(async () => {
    BROKER.port = await freePort();
    BROKER.controllerPort = await freePort();
    await ensureLocalKafka(BROKER);
    const kafkaBrokers = [`127.0.0.1:${BROKER.port}`];
    // kafkajs logs every refused connection during the outage: expected, so kept quiet.
    registry = await startTestApp({
      name: 'registry-effect',
      features: [RegistryModule],
      config: { kafkaBrokers, logLevel: 'fatal' },
    });
    ingress = await startTestApp({
      name: 'ingress-effect',
      features: [IngressModule],
      databaseUrl: process.env.TEST_DATABASE_URL,
      config: { kafkaBrokers, logLevel: 'fatal' },
    });
    api = apiClient(registry.baseUrl);
    account = (
      await api<{ id: string; apiKey: string }>('POST', '/api/accounts', {
        key: registry.config.adminToken,
        body: { name: 'Effect' },
      })
    ).body;
    spareKey = (
      await api<{ id: string; apiKey: string }>('POST', '/api/api-keys', {
        key: account.apiKey,
      })
    ).body;
    const create = async (name: string) =>
      (
        await api<IntegrationView>('POST', '/api/integrations', {
          key: account.apiKey,
          body: { template: 'pocket-option-revshare', name },
        })
      ).body;
    [toDisable, toDelete] = [await create('To disable'), await create('To delete')];
    destination = (
      await api<{ id: string }>('POST', '/api/destinations', {
        key: account.apiKey,
        body: {
          name: 'Hook',
          stages: ['registration'],
          method: 'GET',
          url: 'https://hooks.example.com/pb?c={clickid}',
        },
      })
    ).body;
    link = (
      await api<{ id: string }>('POST', `/api/integrations/${toDisable.id}/registration-links`, {
        key: account.apiKey,
        body: { name: 'Main', baseUrl: 'https://partner.example/register' },
      })
    ).body;
    doomed = (
      await api<{ id: string; apiKey: string }>('POST', '/api/accounts', {
        key: registry.config.adminToken,
        body: { name: 'Doomed' },
      })
    ).body;
    doomedIntegration = (
      await api<IntegrationView>('POST', '/api/integrations', {
        key: doomed.apiKey,
        body: { template: 'pocket-option-revshare', name: 'Doomed' },
      })
    ).body;
    await eventually(
      async () => {
        expect(await probe(toDisable.id)).toBe(200);
        expect(await probe(toDelete.id)).toBe(200);
        expect(await probe(doomedIntegration.id)).toBe(200);
        expect(await redirect(link.id)).toBe(302);
      },
      { timeoutMs: 30_000 },
    );
  }, 180_000);

  afterAll(async () => {
    await ingress?.close();
    await registry?.close();
    await stopLocalKafka(BROKER);
    rmSync(BROKER.dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers 503 and changes nothing while Kafka is unreachable', async () => {
    await stopLocalKafka(BROKER);

    expect503(
      await api('PATCH', `/api/integrations/${toDisable.id}`, {
        key: account.apiKey,
        body: { enabled: false },
      }),
    );
    expect503(await api('DELETE', `/api/integrations/${toDelete.id}`, { key: account.apiKey }));
    expect503(await api('DELETE', `/api/api-keys/${spareKey.id}`, { key: account.apiKey }));
    expect503(
      await api('PATCH', `/api/destinations/${destination.id}`, {
        key: account.apiKey,
        body: { enabled: false },
      }),
    );
    expect503(await api('DELETE', `/api/destinations/${destination.id}`, { key: account.apiKey }));
    expect503(
      await api('DELETE', `/api/accounts/${doomed.id}`, { key: registry.config.adminToken }),
    );
    expect503(
      await api('DELETE', `/api/integrations/${toDisable.id}/registration-links/${link.id}`, {
        key: account.apiKey,
      }),
    );
    expect503(
      await api('DELETE', `/api/integrations/${toDisable.id}/events/resale`, {
        key: account.apiKey,
      }),
    );

    // The registry is unchanged: in its database, in its API, and the key still works.
    expect(
      await registryRow('SELECT enabled FROM registry.integrations WHERE id = $1', [toDisable.id]),
    ).toEqual({ enabled: true });
    expect(
      await registryRow('SELECT id FROM registry.integrations WHERE id = $1', [toDelete.id]),
    ).toEqual({ id: toDelete.id });
    expect(
      await registryRow('SELECT revoked_at FROM registry.api_keys WHERE id = $1', [spareKey.id]),
    ).toEqual({ revoked_at: null });
    expect(
      await registryRow('SELECT enabled FROM registry.destinations WHERE id = $1', [
        destination.id,
      ]),
    ).toEqual({ enabled: true });
    const view = await api<IntegrationView>('GET', `/api/integrations/${toDisable.id}`, {
      key: spareKey.apiKey,
    });
    expect(view.status).toBe(200);
    expect(view.body.enabled).toBe(true);
    expect(
      await registryRow('SELECT id FROM registry.accounts WHERE id = $1', [doomed.id]),
    ).toEqual({ id: doomed.id });
    expect(
      await registryRow('SELECT id FROM registry.integrations WHERE id = $1', [
        doomedIntegration.id,
      ]),
    ).toEqual({ id: doomedIntegration.id });
    expect(
      await registryRow('SELECT id FROM registry.registration_links WHERE id = $1', [link.id]),
    ).toEqual({ id: link.id });
    expect(
      await registryRow(
        'SELECT name FROM registry.integration_events WHERE integration_id = $1 AND name = $2',
        [toDisable.id, 'resale'],
      ),
    ).toEqual({ name: 'resale' });
    expect((await api('GET', '/api/account', { key: doomed.apiKey })).status).toBe(200);
    expect(await probe(toDisable.id)).toBe(200);
    expect(await probe(toDelete.id)).toBe(200);
    expect(await probe(doomedIntegration.id)).toBe(200);
    expect(await redirect(link.id)).toBe(302);
  }, 120_000);

  it('once the broker is back, answers success and every replica applies it within 1 s', async () => {
    await ensureLocalKafka(BROKER);
    // The refused changes converge on the topics (their current snapshots were queued again),
    // and both replicas are consuming again before the clock of the SPEC starts.
    await eventually(
      async () => {
        const [row] = await registry.app
          .get<DataSource>(getDataSourceToken('registry'))
          .query('SELECT count(*)::int AS n FROM registry.outbox WHERE published_at IS NULL');
        expect(row.n).toBe(0);
        expect(await probe(toDisable.id)).toBe(200);
        expect(await probe(toDelete.id)).toBe(200);
        expect((await api('GET', '/api/account', { key: spareKey.apiKey })).status).toBe(200);
        expect((await api('GET', '/api/account', { key: doomed.apiKey })).status).toBe(200);
        expect(await probe(doomedIntegration.id)).toBe(200);
        expect(await redirect(link.id)).toBe(302);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const canary = (
      await api<IntegrationView>('POST', '/api/integrations', {
        key: account.apiKey,
        body: { template: 'custom', name: 'Canary' },
      })
    ).body;
    await eventually(async () => expect(await probe(canary.id)).toBe(200), {
      timeoutMs: 60_000,
    });

    const unlinked = await api(
      'DELETE',
      `/api/integrations/${toDisable.id}/registration-links/${link.id}`,
      { key: account.apiKey },
    );
    let answered = Date.now();
    expect(unlinked.status).toBe(204);
    await withinOneSecond(answered, async () => expect(await redirect(link.id)).toBe(404));

    expect(
      (
        await api('DELETE', `/api/integrations/${toDisable.id}/events/resale`, {
          key: account.apiKey,
        })
      ).status,
    ).toBe(204);

    const gone = await api('DELETE', `/api/accounts/${doomed.id}`, {
      key: registry.config.adminToken,
    });
    answered = Date.now();
    expect(gone.status).toBe(204);
    await withinOneSecond(answered, async () => {
      expect((await api('GET', '/api/account', { key: doomed.apiKey })).status).toBe(401);
      expect(await probe(doomedIntegration.id)).toBe(404);
    });

    const disabled = await api<IntegrationView>('PATCH', `/api/integrations/${toDisable.id}`, {
      key: account.apiKey,
      body: { enabled: false },
    });
    answered = Date.now();
    expect(disabled.status).toBe(200);
    expect(disabled.body.enabled).toBe(false);
    await withinOneSecond(answered, async () => expect(await probe(toDisable.id)).toBe(404));

    const deleted = await api('DELETE', `/api/integrations/${toDelete.id}`, {
      key: account.apiKey,
    });
    answered = Date.now();
    expect(deleted.status).toBe(204);
    await withinOneSecond(answered, async () => expect(await probe(toDelete.id)).toBe(404));

    const revoked = await api('DELETE', `/api/api-keys/${spareKey.id}`, { key: account.apiKey });
    answered = Date.now();
    expect(revoked.status).toBe(204);
    await withinOneSecond(answered, async () =>
      expect((await api('GET', '/api/account', { key: spareKey.apiKey })).status).toBe(401),
    );

    const destinationOff = await api<{ enabled: boolean }>(
      'PATCH',
      `/api/destinations/${destination.id}`,
      { key: account.apiKey, body: { enabled: false } },
    );
    expect(destinationOff.status).toBe(200);
    expect(destinationOff.body.enabled).toBe(false);
    expect(
      (await api('DELETE', `/api/destinations/${destination.id}`, { key: account.apiKey })).status,
    ).toBe(204);

    // Published before the commit: the relay has nothing left to resend.
    expect(
      await registryRow(
        'SELECT count(*)::int AS n FROM registry.outbox WHERE published_at IS NULL',
        [],
      ),
    ).toEqual({ n: 0 });
  }, 180_000);
});
