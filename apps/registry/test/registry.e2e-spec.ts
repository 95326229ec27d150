import { getDataSourceToken } from '@nestjs/typeorm';
import {
  CLICK_ID_MACRO,
  createEvent,
  INTEGRATION_TEMPLATES,
  PostbackReceivedPayload,
  Topics,
} from '@tracker/contracts';
import { TopicReader } from '@tracker/kafka';
import {
  closeSeedProducer,
  eventually,
  seedProducer,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { DataSource } from 'typeorm';
import { PostbackStatsProjection } from '../src/postback-stats/postback-stats.projection';
import { RegistryModule } from '../src/registry.module';
import {
  apiClient,
  ApiResult,
  expectedSnapshot,
  IntegrationView,
  latest,
  startReader,
} from './registry-test-kit';

interface Account {
  id: string;
  name: string;
  apiKey: string;
}

const SEED_LINK =
  'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123';

describe('registry over HTTP (real Kafka + PostgreSQL)', () => {
  let app: TestApp;
  let api: ReturnType<typeof apiClient>;
  let integrationsTopic: TopicReader;
  let accountsTopic: TopicReader;
  let a: Account;
  let b: Account;

  const admin = () => app.config.adminToken;
  const createAccount = async (name: string): Promise<Account> => {
    const res = await api<Account>('POST', '/api/accounts', { key: admin(), body: { name } });
    expect(res.status).toBe(201);
    return res.body;
  };
  const createIntegration = async (
    account: Account,
    body: Record<string, unknown> = { template: 'pocket-option-revshare' },
  ): Promise<IntegrationView> => {
    const res = await api<IntegrationView>('POST', '/api/integrations', {
      key: account.apiKey,
      body,
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  /** A 4xx whose message names `mentions`; a 400 may name its field (SPEC section 4). */
  const expectError = (res: ApiResult, status: number, mentions?: string) => {
    expect(res.status).toBe(status);
    const { field, ...rest } = res.body;
    expect(rest).toEqual({ statusCode: status, message: expect.any(String) });
    if (field !== undefined) expect(status === 400 && typeof field === 'string').toBe(true);
    if (mentions) expect(res.body.message).toContain(mentions);
  };
  /** A 400 with `field` naming the request field at fault (SPEC section 4). */
  const expectFieldError = (res: ApiResult, field: string) => {
    expect(res.body).toEqual({ statusCode: 400, message: expect.stringContaining(field), field });
  };
  type Listed = { items: Array<Record<string, unknown>>; nextCursor: string | null };
  /**
   * Walks a list route `limit` items at a time, following nextCursor; checks each page's size
   * and the limit and cursor bounds (SPEC section 4: limit ≤ 500, default 100; bad → 400).
   */
  const walkPages = async (path: string, key: string, limit: number) => {
    const list = (query: string) => api<Listed>('GET', `${path}${query}`, { key });
    const pages: Listed['items'][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await list(query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(limit);
      pages.push(page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor && pages.length < 100);
    const whole = await list('');
    expect(whole.body).toEqual({ items: pages.flat(), nextCursor: null });
    expect((await list('?limit=500')).body).toEqual(whole.body);
    expectFieldError(await list('?limit=0'), 'limit');
    expectFieldError(await list('?limit=501'), 'limit');
    expectFieldError(await list('?limit=1.5'), 'limit');
    expectFieldError(await list('?limit=ten'), 'limit');
    expectFieldError(await list('?cursor=garbage'), 'cursor');
    expectFieldError(await list('?cursor=%FF%00'), 'cursor');
    return pages;
  };

  beforeAll(async () => {
    app = await startTestApp({ name: 'registry', features: [RegistryModule] });
    api = apiClient(app.baseUrl);
    [integrationsTopic, accountsTopic] = await Promise.all([
      startReader(Topics.Integrations),
      startReader(Topics.Accounts),
    ]);
    [a, b] = await Promise.all([createAccount('Team A'), createAccount('Team B')]);
  });

  afterAll(async () => {
    await Promise.all([integrationsTopic?.stop(), accountsTopic?.stop()]);
    await app?.close();
    await closeSeedProducer();
  });

  describe('accounts (admin)', () => {
    it('creates an account whose key works right away', async () => {
      const res = await api('POST', '/api/accounts', { key: admin(), body: { name: 'Team C' } });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Team C',
        apiKey: expect.stringMatching(/^trk_[A-Za-z0-9_-]{43}$/),
      });
      const list = await api('GET', '/api/integrations', { key: res.body.apiKey as string });
      expect(list).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    });

    it('answers with the name as stored: a NUL or a lone surrogate becomes U+FFFD', async () => {
      const res = await api('POST', '/api/accounts', {
        key: admin(),
        body: { name: 'Team\u0000N \ud800x' },
      });
      expect(res.status).toBe(201);
      expect(res.body.name).toBe('Team\ufffdN \ufffdx');
      const mine = await api('GET', '/api/account', { key: res.body.apiKey as string });
      expect(mine.body.name).toBe(res.body.name);
    });

    it('needs the admin token', async () => {
      expectError(await api('POST', '/api/accounts', { body: { name: 'x' } }), 401);
      expectError(await api('POST', '/api/accounts', { key: 'wrong', body: { name: 'x' } }), 401);
      expectError(await api('POST', '/api/accounts', { key: a.apiKey, body: { name: 'x' } }), 401);
      expectError(await api('DELETE', `/api/accounts/${a.id}`, { key: a.apiKey }), 401);
    });

    it('rejects a bad body naming the field', async () => {
      expectError(await api('POST', '/api/accounts', { key: admin(), body: {} }), 400, 'name');
      expectError(
        await api('POST', '/api/accounts', { key: admin(), body: { name: '' } }),
        400,
        'name',
      );
      expectError(
        await api('POST', '/api/accounts', { key: admin(), body: { name: '  \t ' } }),
        400,
        'name',
      );
      expectError(
        await api('POST', '/api/accounts', { key: admin(), body: { name: 'x', extra: 1 } }),
        400,
        'extra',
      );
    });

    it('publishes the account snapshot with hashed keys only', async () => {
      await eventually(() => {
        const message = latest(accountsTopic, a.id);
        expect(message?.event?.type).toBe('AccountChanged');
        const payload = message!.event!.payload as { name: string; apiKeys: unknown[] };
        expect(payload.name).toBe('Team A');
        expect(JSON.stringify(payload)).not.toContain(a.apiKey);
        expect(payload.apiKeys).toEqual([
          expect.objectContaining({
            hash: expect.stringMatching(/^[0-9a-f]{64}$/),
            revokedAt: null,
          }),
        ]);
      });
    });

    it('deletes an account: 204, tombstones for it and its integrations, keys stop working', async () => {
      const doomed = await createAccount('Doomed');
      const integration = await createIntegration(doomed);
      const res = await api('DELETE', `/api/accounts/${doomed.id}`, { key: admin() });
      expect(res.status).toBe(204);
      await eventually(
        async () => expectError(await api('GET', '/api/integrations', { key: doomed.apiKey }), 401),
        { timeoutMs: 1000 },
      );
      await eventually(() => {
        expect(latest(accountsTopic, doomed.id)?.event).toBeNull();
        expect(latest(integrationsTopic, integration.id)?.event).toBeNull();
      });
      expectError(await api('DELETE', `/api/accounts/${doomed.id}`, { key: admin() }), 404);
      // SPEC section 9: a path parameter failing its own format is a 400 naming it.
      expectFieldError(await api('DELETE', '/api/accounts/not-a-uuid', { key: admin() }), 'id');
    });
  });

  describe("the caller's account", () => {
    it("answers GET /api/account with the key's own account only", async () => {
      const mine = await api('GET', '/api/account', { key: a.apiKey });
      expect(mine).toEqual({
        status: 200,
        body: { id: a.id, name: 'Team A', createdAt: expect.any(String) },
      });
      expect(Date.now() - Date.parse(mine.body.createdAt as string)).toBeLessThan(10 * 60_000);
      expect((await api('GET', '/api/account', { key: b.apiKey })).body).toMatchObject({
        id: b.id,
        name: 'Team B',
      });
      expectError(await api('GET', '/api/account'), 401);
      expectError(await api('GET', '/api/account', { key: admin() }), 401);
    });
  });

  describe('authentication', () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/account'],
      ['GET', '/api/integration-templates'],
      ['GET', '/api/integrations'],
      ['POST', '/api/integrations'],
      ['GET', '/api/integrations/00000000-0000-4000-8000-000000000000'],
      ['PATCH', '/api/integrations/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/api/integrations/00000000-0000-4000-8000-000000000000'],
      ['GET', '/api/integrations/00000000-0000-4000-8000-000000000000/events'],
      ['POST', '/api/integrations/00000000-0000-4000-8000-000000000000/events'],
      ['DELETE', '/api/integrations/00000000-0000-4000-8000-000000000000/events/sale'],
      ['GET', '/api/integrations/00000000-0000-4000-8000-000000000000/registration-links'],
      ['POST', '/api/integrations/00000000-0000-4000-8000-000000000000/registration-links'],
      ['DELETE', '/api/integrations/00000000-0000-4000-8000-000000000000/registration-links/x'],
      ['GET', '/api/api-keys'],
      ['POST', '/api/api-keys'],
      ['DELETE', '/api/api-keys/00000000-0000-4000-8000-000000000000'],
    ];

    it.each(routes)('%s %s: 401 without a key and with an invalid key', async (method, path) => {
      const body = method === 'POST' || method === 'PATCH' ? {} : undefined;
      expectError(await api(method, path, { body }), 401);
      expectError(await api(method, path, { key: 'trk_not-a-real-key', body }), 401);
      expectError(await api(method, path, { key: admin(), body }), 401);
    });
  });

  describe('integration templates', () => {
    it('lists the SPEC templates', async () => {
      const res = await api<unknown[]>('GET', '/api/integration-templates', { key: a.apiKey });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(JSON.parse(JSON.stringify(INTEGRATION_TEMPLATES)));
      expect(res.body).toEqual([
        {
          id: 'pocket-option-revshare',
          name: 'PocketOption RevShare',
          clickIdParam: 'click_id',
          amountParam: 'sumdep',
          defaultCurrency: 'USD',
          fieldParams: { trader_id: 'trader_id' },
          events: [
            { name: 'registration', label: 'Registration', kind: 'registration', params: {} },
            { name: 'conf', label: 'Email confirmation', kind: 'email_confirmation', params: {} },
            { name: 'resale', label: 'Deposit', kind: 'deposit', params: { currency: 'usd' } },
          ],
        },
        expect.objectContaining({
          id: 'pocket-option-revshare-v2',
          name: 'PocketOption RevShare [v2]',
          events: ['registration', 'emailconf', 'sale', 'resale', 'withdraw', 'Revshare'].map(
            (name) => expect.objectContaining({ name }),
          ),
        }),
        expect.objectContaining({ id: 'custom', events: [] }),
      ]);
    });
  });

  describe('integrations', () => {
    it('creates one from a template with postback URLs, answering after the snapshot is on Kafka', async () => {
      const integration = await createIntegration(a, {
        template: 'pocket-option-revshare',
        name: 'PO main',
      });
      const base = `${app.config.publicBaseUrl}/api/postbacks/${integration.id}/tracker-postback`;
      expect(integration).toEqual({
        id: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
        name: 'PO main',
        template: 'pocket-option-revshare',
        clickIdParam: 'click_id',
        amountParam: 'sumdep',
        defaultCurrency: 'USD',
        fieldParams: { trader_id: 'trader_id' },
        enabled: true,
        rateLimitPerSecond: null,
        statusParam: 'status',
        reversalStatuses: [
          'rejected',
          'declined',
          'chargeback',
          'refund',
          'refunded',
          'reversed',
          'cancelled',
          'canceled',
          'fraud',
        ],
        tidParam: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        events: [
          ['registration', 'Registration', 'registration', {}, ''],
          ['conf', 'Email confirmation', 'email_confirmation', {}, ''],
          ['resale', 'Deposit', 'deposit', { currency: 'usd' }, '&currency=usd'],
        ].map(([name, label, kind, params, query]) => ({
          name,
          label,
          kind,
          params,
          postbackUrl: `${base}?tracker.event=${name}${query}`,
          receivedCount: 0,
          lastReceivedAt: null,
        })),
        registrationLinks: [],
      });
      const dataSource = app.app.get<DataSource>(getDataSourceToken('registry'));
      const [outbox] = await dataSource.query(
        'SELECT published_at FROM registry.outbox WHERE message_key = $1 ORDER BY seq DESC LIMIT 1',
        [integration.id],
      );
      expect(outbox.published_at).not.toBeNull();
    });

    it('names a template connected again apart from the first: "(2)", "(3)"', async () => {
      const fresh = await createAccount('Twice');
      const names: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        names.push((await createIntegration(fresh, { template: 'pocket-option-revshare' })).name);
      }
      names.push((await createIntegration(fresh, { template: 'custom', name: 'Mine' })).name);
      names.push((await createIntegration(fresh, { template: 'custom', name: 'Mine' })).name);
      expect(names).toEqual([
        'PocketOption RevShare',
        'PocketOption RevShare (2)',
        'PocketOption RevShare (3)',
        // A name the marketer typed is kept as typed.
        'Mine',
        'Mine',
      ]);
    });

    it('takes the v2 and custom templates and a custom click id parameter', async () => {
      const v2 = await createIntegration(a, { template: 'pocket-option-revshare-v2' });
      expect(v2.name).toBe('PocketOption RevShare [v2]');
      expect(v2.events.map((e) => [e.name, e.kind])).toEqual([
        ['registration', 'registration'],
        ['emailconf', 'email_confirmation'],
        ['sale', 'first_deposit'],
        ['resale', 'deposit'],
        ['withdraw', 'withdrawal'],
        ['Revshare', 'commission'],
      ]);
      const custom = await createIntegration(a, { template: 'custom', clickIdParam: 'sub4' });
      expect(custom).toMatchObject({
        template: 'custom',
        clickIdParam: 'sub4',
        amountParam: null,
        defaultCurrency: null,
        events: [],
      });
    });

    it('rejects bad bodies naming the field', async () => {
      const post = (body: unknown) => api('POST', '/api/integrations', { key: a.apiKey, body });
      expectError(await post({ template: 'nope' }), 400, 'template');
      expectError(await post({}), 400, 'template');
      expectError(await post({ template: 'custom', clickIdParam: 'a b' }), 400, 'clickIdParam');
      expectError(await post({ template: 'custom', name: '' }), 400, 'name');
      expectError(await post({ template: 'custom', enabled: false }), 400, 'enabled');
    });

    it('pages the list oldest first with limit and cursor (SPEC 9: list endpoints are bounded)', async () => {
      const paged = await createAccount('Paged');
      const made: IntegrationView[] = [];
      for (const name of ['one', 'two', 'three']) {
        made.push(await createIntegration(paged, { template: 'custom', name }));
      }
      type Page = { items: IntegrationView[]; nextCursor: string | null };
      const list = (query: string) =>
        api<Page>('GET', `/api/integrations${query}`, { key: paged.apiKey });
      const first = await list('?limit=2');
      expect(first.status).toBe(200);
      expect(first.body.items).toEqual(made.slice(0, 2));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await list(`?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
      expect(second.body).toEqual({ items: made.slice(2), nextCursor: null });
      expect((await list('')).body).toEqual({ items: made, nextCursor: null });

      expectError(await list('?limit=0'), 400, 'limit');
      expectError(await list('?limit=501'), 400, 'limit');
      expectError(await list('?limit=ten'), 400, 'limit');
      expectError(await list('?cursor=garbage'), 400, 'cursor');
      // Another account's cursor pages nothing of theirs.
      const foreign = await api<Page>(
        'GET',
        `/api/integrations?cursor=${encodeURIComponent(first.body.nextCursor!)}`,
        { key: b.apiKey },
      );
      expect(foreign.body.items.map((item) => item.id)).not.toContain(made[2].id);
    });

    it('lists, reads, patches and deletes', async () => {
      const created = await createIntegration(a, { template: 'custom', name: 'To patch' });
      const list = await api<{ items: IntegrationView[] }>('GET', '/api/integrations', {
        key: a.apiKey,
      });
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual(created);

      expect(await api('GET', `/api/integrations/${created.id}`, { key: a.apiKey })).toEqual({
        status: 200,
        body: created,
      });

      const patched = await api<IntegrationView>('PATCH', `/api/integrations/${created.id}`, {
        key: a.apiKey,
        body: {
          name: 'Renamed',
          clickIdParam: 'sub1',
          amountParam: 'payout',
          defaultCurrency: 'eur',
          fieldParams: { trader_id: 'uid', country: 'geo' },
          enabled: false,
          rateLimitPerSecond: 50,
          statusParam: 'state',
          reversalStatuses: ['chargeback', 'Void'],
          tidParam: 'transaction_id',
        },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        name: 'Renamed',
        clickIdParam: 'sub1',
        amountParam: 'payout',
        defaultCurrency: 'EUR',
        fieldParams: { trader_id: 'uid', country: 'geo' },
        enabled: false,
        rateLimitPerSecond: 50,
        statusParam: 'state',
        reversalStatuses: ['chargeback', 'Void'],
        tidParam: 'transaction_id',
      });
      const cleared = await api<IntegrationView>('PATCH', `/api/integrations/${created.id}`, {
        key: a.apiKey,
        body: {
          amountParam: null,
          defaultCurrency: null,
          rateLimitPerSecond: null,
          tidParam: null,
        },
      });
      expect(cleared.body).toMatchObject({
        amountParam: null,
        defaultCurrency: null,
        rateLimitPerSecond: null,
        tidParam: null,
        statusParam: 'state',
        name: 'Renamed',
      });
      await eventually(() =>
        expect(latest(integrationsTopic, created.id)?.event?.payload).toEqual(
          expectedSnapshot(a.id, cleared.body),
        ),
      );

      expect(
        (await api('DELETE', `/api/integrations/${created.id}`, { key: a.apiKey })).status,
      ).toBe(204);
      expectError(await api('GET', `/api/integrations/${created.id}`, { key: a.apiKey }), 404);
      expectError(await api('DELETE', `/api/integrations/${created.id}`, { key: a.apiKey }), 404);
      await eventually(() => expect(latest(integrationsTopic, created.id)?.event).toBeNull());
    });

    it('rejects bad patches naming the field', async () => {
      const { id } = await createIntegration(a, { template: 'custom' });
      const patch = (body: unknown) =>
        api('PATCH', `/api/integrations/${id}`, { key: a.apiKey, body });
      expectError(await patch({ defaultCurrency: 'US' }), 400, 'defaultCurrency');
      expectError(await patch({ defaultCurrency: 'US1' }), 400, 'defaultCurrency');
      expectError(await patch({ rateLimitPerSecond: 0 }), 400, 'rateLimitPerSecond');
      expectError(await patch({ rateLimitPerSecond: 1.5 }), 400, 'rateLimitPerSecond');
      expectError(await patch({ name: null }), 400, 'name');
      expectError(await patch({ clickIdParam: null }), 400, 'clickIdParam');
      expectError(await patch({ enabled: 'yes' }), 400, 'enabled');
      expectError(await patch({ fieldParams: { trader_id: 5 } }), 400, 'fieldParams.trader_id');
      expectError(await patch({ fieldParams: ['x'] }), 400, 'fieldParams');
      expectError(await patch({ template: 'custom' }), 400, 'template');
      expectError(await patch({ statusParam: null }), 400, 'statusParam');
      expectError(await patch({ statusParam: 'a b' }), 400, 'statusParam');
      expectError(await patch({ tidParam: '' }), 400, 'tidParam');
      expectError(await patch({ reversalStatuses: 'chargeback' }), 400, 'reversalStatuses');
      expectError(await patch({ reversalStatuses: [5] }), 400, 'reversalStatuses');
      expectError(await patch({ reversalStatuses: [' refund'] }), 400, 'reversalStatuses');
      expectError(
        await patch({ reversalStatuses: Array.from({ length: 51 }, (_, i) => `s${i}`) }),
        400,
        'reversalStatuses',
      );
    });

    it('answers 404 for unknown ids and 400 naming id for malformed ones (SPEC section 9)', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      expectError(await api('GET', `/api/integrations/${unknown}`, { key: a.apiKey }), 404);
      expectError(
        await api('PATCH', `/api/integrations/${unknown}`, { key: a.apiKey, body: { name: 'x' } }),
        404,
      );
      expectFieldError(await api('GET', '/api/integrations/not-a-uuid', { key: a.apiKey }), 'id');
      expectFieldError(
        await api('PATCH', '/api/integrations/not-a-uuid', { key: a.apiKey, body: { name: 'x' } }),
        'id',
      );
    });
  });

  describe('integration events', () => {
    let integration: IntegrationView;

    beforeAll(async () => {
      integration = await createIntegration(a, { template: 'custom', name: 'Events' });
    });

    it('adds events with postback URLs carrying their params in order, URL-encoded', async () => {
      const res = await api('POST', `/api/integrations/${integration.id}/events`, {
        key: a.apiKey,
        body: {
          name: 'dep',
          kind: 'deposit',
          label: 'Deposit',
          params: { currency: 'usd', note: 'a b&c' },
        },
      });
      expect(res).toEqual({
        status: 201,
        body: {
          name: 'dep',
          label: 'Deposit',
          kind: 'deposit',
          params: { currency: 'usd', note: 'a b&c' },
          postbackUrl: `${app.config.publicBaseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=dep&currency=usd&note=a%20b%26c`,
          receivedCount: 0,
          lastReceivedAt: null,
        },
      });
      const plain = await api('POST', `/api/integrations/${integration.id}/events`, {
        key: a.apiKey,
        body: { name: 'reg.v-1_X', kind: 'registration' },
      });
      expect(plain.status).toBe(201);
      expect(plain.body).toMatchObject({ label: 'reg.v-1_X', params: {} });
    });

    it('keeps names unique per integration, case-sensitive (409 on a duplicate)', async () => {
      const post = (name: string) =>
        api('POST', `/api/integrations/${integration.id}/events`, {
          key: a.apiKey,
          body: { name, kind: 'custom' },
        });
      expect((await post('Sale')).status).toBe(201);
      expect((await post('sale')).status).toBe(201);
      expectError(await post('Sale'), 409, 'Sale');
      const other = await createIntegration(a, { template: 'custom' });
      const elsewhere = await api('POST', `/api/integrations/${other.id}/events`, {
        key: a.apiKey,
        body: { name: 'Sale', kind: 'custom' },
      });
      expect(elsewhere.status).toBe(201);
    });

    it('rejects bad events naming the field', async () => {
      const post = (body: unknown) =>
        api('POST', `/api/integrations/${integration.id}/events`, { key: a.apiKey, body });
      expectError(await post({ name: 'bad name', kind: 'custom' }), 400, 'name');
      expectError(await post({ name: 'x'.repeat(65), kind: 'custom' }), 400, 'name');
      expectError(await post({ name: '', kind: 'custom' }), 400, 'name');
      expectError(await post({ name: 'ok' }), 400, 'kind');
      expectError(await post({ name: 'ok', kind: 'sale' }), 400, 'kind');
      expectError(await post({ name: 'ok', kind: 'custom', params: { a: 1 } }), 400, 'params.a');
      expectError(
        await post({ name: 'ok', kind: 'custom', params: { 'tracker.event': 'x' } }),
        400,
        'params',
      );
    });

    it('lists and deletes events; the snapshot follows', async () => {
      const list = await api<{ items: Array<{ name: string }> }>(
        'GET',
        `/api/integrations/${integration.id}/events`,
        { key: a.apiKey },
      );
      expect(list.body.items.map((e) => e.name)).toEqual(['dep', 'reg.v-1_X', 'Sale', 'sale']);
      // Paged one event at a time in their order (SPEC section 4: limit and cursor).
      const pages = await walkPages(`/api/integrations/${integration.id}/events`, a.apiKey, 1);
      expect(pages.map((page) => page.map((e) => e.name))).toEqual([
        ['dep'],
        ['reg.v-1_X'],
        ['Sale'],
        ['sale'],
      ]);
      const del = await api('DELETE', `/api/integrations/${integration.id}/events/sale`, {
        key: a.apiKey,
      });
      expect(del.status).toBe(204);
      expectError(
        await api('DELETE', `/api/integrations/${integration.id}/events/sale`, { key: a.apiKey }),
        404,
        'sale',
      );
      const view = await api<IntegrationView>('GET', `/api/integrations/${integration.id}`, {
        key: a.apiKey,
      });
      expect(view.body.events.map((e) => e.name)).toEqual(['dep', 'reg.v-1_X', 'Sale']);
      await eventually(() =>
        expect(latest(integrationsTopic, integration.id)?.event?.payload).toEqual(
          expectedSnapshot(a.id, view.body),
        ),
      );
    });
  });

  describe('registration links', () => {
    let integration: IntegrationView;

    beforeAll(async () => {
      integration = await createIntegration(a);
    });

    it('builds the final URL of the seed example and a tracking URL', async () => {
      const res = await api<Record<string, string>>(
        'POST',
        `/api/integrations/${integration.id}/registration-links`,
        { key: a.apiKey, body: { name: 'Main', baseUrl: SEED_LINK } },
      );
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9A-Za-z]{16}$/),
        name: 'Main',
        baseUrl: SEED_LINK,
        finalUrl: `${SEED_LINK}&click_id=${CLICK_ID_MACRO}`,
        trackingUrl: `${app.config.publicBaseUrl}/r/${res.body.id}`,
      });
      const short = await api<Record<string, string>>(
        'POST',
        `/api/integrations/${integration.id}/registration-links`,
        {
          key: a.apiKey,
          body: { name: 'Short', baseUrl: 'https://u3.shortink.io/smart/mByVsLe71bbFFH' },
        },
      );
      expect(short.body.finalUrl).toBe(
        `https://u3.shortink.io/smart/mByVsLe71bbFFH?click_id=${CLICK_ID_MACRO}`,
      );
    });

    it('rejects a bad link naming the field', async () => {
      const post = (body: unknown) =>
        api('POST', `/api/integrations/${integration.id}/registration-links`, {
          key: a.apiKey,
          body,
        });
      expectError(await post({ name: 'x', baseUrl: 'ftp://p.example/' }), 400, 'baseUrl');
      expectError(await post({ name: 'x', baseUrl: '/relative' }), 400, 'baseUrl');
      expectError(
        await post({ name: 'x', baseUrl: `https://p.example/${'a'.repeat(2040)}` }),
        400,
        'baseUrl',
      );
      expectError(await post({ name: 'x' }), 400, 'baseUrl');
      expectError(await post({ baseUrl: SEED_LINK }), 400, 'name');
    });

    it('lists, rebuilds on a new clickIdParam, deletes; the snapshot follows', async () => {
      const path = `/api/integrations/${integration.id}/registration-links`;
      const list = await api<{ items: Array<Record<string, string>> }>('GET', path, {
        key: a.apiKey,
      });
      expect(list.status).toBe(200);
      expect(list.body.items.map((l) => l.name)).toEqual(['Main', 'Short']);
      const pages = await walkPages(path, a.apiKey, 1);
      expect(pages.map((page) => page.map((l) => l.name))).toEqual([['Main'], ['Short']]);

      const patched = await api<IntegrationView>('PATCH', `/api/integrations/${integration.id}`, {
        key: a.apiKey,
        body: { clickIdParam: 'sub1' },
      });
      expect(patched.body.registrationLinks.map((l) => l.finalUrl)).toEqual([
        `${SEED_LINK}&sub1=${CLICK_ID_MACRO}`,
        `https://u3.shortink.io/smart/mByVsLe71bbFFH?sub1=${CLICK_ID_MACRO}`,
      ]);

      const [main] = list.body.items;
      expect((await api('DELETE', `${path}/${main.id}`, { key: a.apiKey })).status).toBe(204);
      expectError(await api('DELETE', `${path}/${main.id}`, { key: a.apiKey }), 404);
      const view = await api<IntegrationView>('GET', `/api/integrations/${integration.id}`, {
        key: a.apiKey,
      });
      expect(view.body.registrationLinks.map((l) => l.name)).toEqual(['Short']);
      await eventually(() =>
        expect(latest(integrationsTopic, integration.id)?.event?.payload).toEqual(
          expectedSnapshot(a.id, view.body),
        ),
      );
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 to every read and write of account A's resources with B's key", async () => {
      const owned = await createIntegration(a);
      const link = await api<{ id: string }>(
        'POST',
        `/api/integrations/${owned.id}/registration-links`,
        { key: a.apiKey, body: { name: 'Main', baseUrl: SEED_LINK } },
      );
      const keys = await api<{ items: Array<{ id: string }> }>('GET', '/api/api-keys', {
        key: a.apiKey,
      });
      const base = `/api/integrations/${owned.id}`;
      const before = await api('GET', base, { key: a.apiKey });
      const attempts: Array<[string, string, unknown]> = [
        ['GET', base, undefined],
        ['PATCH', base, { name: 'stolen' }],
        ['DELETE', base, undefined],
        ['GET', `${base}/events`, undefined],
        ['POST', `${base}/events`, { name: 'x', kind: 'custom' }],
        ['DELETE', `${base}/events/registration`, undefined],
        ['GET', `${base}/registration-links`, undefined],
        ['POST', `${base}/registration-links`, { name: 'x', baseUrl: SEED_LINK }],
        ['DELETE', `${base}/registration-links/${link.body.id}`, undefined],
        ['DELETE', `/api/api-keys/${keys.body.items[0].id}`, undefined],
      ];
      for (const [method, path, body] of attempts) {
        const res = await api(method, path, { key: b.apiKey, body });
        expect([method, path, res.status]).toEqual([method, path, 404]);
      }
      const listed = await api<{ items: IntegrationView[] }>('GET', '/api/integrations', {
        key: b.apiKey,
      });
      expect(listed.body.items.map((i) => i.id)).not.toContain(owned.id);
      const bKeys = await api<{ items: Array<{ id: string }> }>('GET', '/api/api-keys', {
        key: b.apiKey,
      });
      expect(bKeys.body.items.map((k) => k.id)).not.toContain(keys.body.items[0].id);
      // Nothing changed for A.
      expect(await api('GET', base, { key: a.apiKey })).toEqual(before);
    });
  });

  describe('API keys', () => {
    it('issues, lists and revokes keys; a revoked key answers 401 within 1 s', async () => {
      const owner = await createAccount('Key rotation');
      const issued = await api<Record<string, string | null>>('POST', '/api/api-keys', {
        key: owner.apiKey,
      });
      expect(issued.status).toBe(201);
      expect(issued.body).toEqual({
        id: expect.any(String),
        prefix: (issued.body.apiKey as string).slice(0, 12),
        createdAt: expect.any(String),
        revokedAt: null,
        apiKey: expect.stringMatching(/^trk_/),
      });
      const second = issued.body.apiKey as string;
      expect((await api('GET', '/api/integrations', { key: second })).status).toBe(200);

      const list = await api<{ items: Array<Record<string, unknown>> }>('GET', '/api/api-keys', {
        key: second,
      });
      expect(list.body.items).toHaveLength(2);
      for (const item of list.body.items) {
        expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'prefix', 'revokedAt']);
      }
      const first = list.body.items.find((k) => k.id !== issued.body.id)!;

      const revoked = await api('DELETE', `/api/api-keys/${first.id}`, { key: second });
      expect(revoked.status).toBe(204);
      await eventually(
        async () => expectError(await api('GET', '/api/integrations', { key: owner.apiKey }), 401),
        { timeoutMs: 1000 },
      );
      expect((await api('GET', '/api/integrations', { key: second })).status).toBe(200);
      const after = await api<{ items: Array<Record<string, unknown>> }>('GET', '/api/api-keys', {
        key: second,
      });
      expect(after.body.items.find((k) => k.id === first.id)?.revokedAt).toEqual(
        expect.any(String),
      );
      expect((await api('DELETE', `/api/api-keys/${first.id}`, { key: second })).status).toBe(204);
      expectError(
        await api('DELETE', '/api/api-keys/00000000-0000-4000-8000-000000000000', { key: second }),
        404,
      );
      expectFieldError(await api('DELETE', '/api/api-keys/nope', { key: second }), 'id');

      // A key can revoke itself while another is active: the caller is locked out right after.
      const third = await api<{ apiKey: string }>('POST', '/api/api-keys', { key: second });
      expect((await api('DELETE', `/api/api-keys/${issued.body.id}`, { key: second })).status).toBe(
        204,
      );
      await eventually(
        async () => expectError(await api('GET', '/api/api-keys', { key: second }), 401),
        { timeoutMs: 1000 },
      );
      expect((await api('GET', '/api/api-keys', { key: third.body.apiKey })).status).toBe(200);
    });

    it("refuses to revoke the account's last active key (409): the account would be locked out", async () => {
      const owner = await createAccount('Last key');
      const keys = () =>
        api<{ items: Array<{ id: string; revokedAt: string | null }> }>('GET', '/api/api-keys', {
          key: owner.apiKey,
        });
      const [only] = (await keys()).body.items;

      const refused = await api('DELETE', `/api/api-keys/${only.id}`, { key: owner.apiKey });
      expect(refused.body).toEqual({
        statusCode: 409,
        message: "the account's last active API key cannot be revoked; create another key first",
      });
      expect((await keys()).body.items).toEqual([expect.objectContaining({ revokedAt: null })]);
      expect((await api('GET', '/api/integrations', { key: owner.apiKey })).status).toBe(200);

      // With a second key the first goes; then the second is the last one and stays.
      const spare = await api<{ id: string; apiKey: string }>('POST', '/api/api-keys', {
        key: owner.apiKey,
      });
      expect((await api('DELETE', `/api/api-keys/${only.id}`, { key: owner.apiKey })).status).toBe(
        204,
      );
      expectError(
        await api('DELETE', `/api/api-keys/${spare.body.id}`, { key: spare.body.apiKey }),
        409,
        'last active API key',
      );
      expect((await api('GET', '/api/integrations', { key: spare.body.apiKey })).status).toBe(200);
      // Revoking an already revoked key still answers 204, the last active one untouched.
      expect(
        (await api('DELETE', `/api/api-keys/${only.id}`, { key: spare.body.apiKey })).status,
      ).toBe(204);
      expect((await api('GET', '/api/integrations', { key: spare.body.apiKey })).status).toBe(200);
    });
  });

  describe('bounded lists (SPEC section 4: limit, cursor, nextCursor)', () => {
    it('pages API keys oldest first', async () => {
      const owner = await createAccount('Many keys');
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        const issued = await api<{ id: string }>('POST', '/api/api-keys', { key: owner.apiKey });
        ids.push(issued.body.id);
      }
      const pages = await walkPages('/api/api-keys', owner.apiKey, 2);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(
        pages
          .flat()
          .slice(1)
          .map((key) => key.id),
      ).toEqual(ids);
    });

    it('pages registration links across more than one page', async () => {
      const owner = await createAccount('Many links');
      const integration = await createIntegration(owner);
      const path = `/api/integrations/${integration.id}/registration-links`;
      const names = ['l1', 'l2', 'l3', 'l4', 'l5'];
      for (const name of names) {
        const res = await api('POST', path, {
          key: owner.apiKey,
          body: { name, baseUrl: SEED_LINK },
        });
        expect(res.status).toBe(201);
      }
      const pages = await walkPages(path, owner.apiKey, 2);
      expect(pages.map((page) => page.map((link) => link.name))).toEqual([
        ['l1', 'l2'],
        ['l3', 'l4'],
        ['l5'],
      ]);
      // Another account's integration stays not found, cursor or not.
      expectError(await api('GET', path, { key: b.apiKey }), 404);
    });
  });

  describe('postback stats', () => {
    const postback = (integrationId: string, event: string | null, receivedAt: string) =>
      createEvent(
        'PostbackReceived',
        {
          method: 'GET',
          url: `/api/postbacks/${integrationId}/tracker-postback?tracker.event=${event}`,
          query: { 'tracker.event': event ?? '' },
          body: null,
          remoteAddress: '127.0.0.1',
          userAgent: 'test',
          event,
          clickId: 'abcdefghij12',
          receivedAt,
        } satisfies PostbackReceivedPayload,
        { accountId: a.id, integrationId },
      );

    it('counts PostbackReceived per configured event, ignoring unknown ones, idempotently', async () => {
      const integration = await createIntegration(a);
      const producer = await seedProducer();
      const events = [
        postback(integration.id, 'registration', '2026-01-01T10:00:00.000Z'),
        postback(integration.id, 'registration', '2026-01-01T10:05:00.000Z'),
        postback(integration.id, 'resale', '2026-01-01T10:01:00.000Z'),
        postback(integration.id, 'unknown', '2026-01-01T10:02:00.000Z'),
        postback(integration.id, null, '2026-01-01T10:02:00.000Z'),
        postback(
          '00000000-0000-4000-8000-000000000000',
          'registration',
          '2026-01-01T10:00:00.000Z',
        ),
      ];
      await producer.publishMany(
        Topics.Postbacks,
        events.map((event) => ({ event, key: event.integrationId })),
      );
      const stats = async () => {
        const res = await api<IntegrationView>('GET', `/api/integrations/${integration.id}`, {
          key: a.apiKey,
        });
        return res.body.events.map((e) => [e.name, e.receivedCount, e.lastReceivedAt]);
      };
      const expected = [
        ['registration', 2, '2026-01-01T10:05:00.000Z'],
        ['conf', 0, null],
        ['resale', 1, '2026-01-01T10:01:00.000Z'],
      ];
      await eventually(async () => expect(await stats()).toEqual(expected));

      // A redelivered batch (crash before the offset commit) is not counted twice.
      const reader = await startReader(Topics.Postbacks);
      try {
        const ids = new Set(events.map((e) => e.id));
        await eventually(() =>
          expect(reader.messages.filter((m) => ids.has(m.event?.id ?? ''))).toHaveLength(6),
        );
        const redelivered = reader.messages.filter((m) => ids.has(m.event?.id ?? ''));
        await app.app.get(PostbackStatsProjection).handle(redelivered);
      } finally {
        await reader.stop();
      }
      expect(await stats()).toEqual(expected);
    });
  });

  describe('OpenAPI', () => {
    it('documents every registry route', async () => {
      const res = await api<{ paths: Record<string, Record<string, unknown>> }>(
        'GET',
        '/docs-json',
      );
      const documented = Object.entries(res.body.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
      );
      expect(documented).toEqual(
        expect.arrayContaining([
          'POST /api/accounts',
          'GET /api/account',
          'DELETE /api/accounts/{id}',
          'GET /api/api-keys',
          'POST /api/api-keys',
          'DELETE /api/api-keys/{id}',
          'GET /api/integration-templates',
          'GET /api/integrations',
          'POST /api/integrations',
          'GET /api/integrations/{id}',
          'PATCH /api/integrations/{id}',
          'DELETE /api/integrations/{id}',
          'GET /api/integrations/{id}/events',
          'POST /api/integrations/{id}/events',
          'DELETE /api/integrations/{id}/events/{name}',
          'GET /api/integrations/{id}/registration-links',
          'POST /api/integrations/{id}/registration-links',
          'DELETE /api/integrations/{id}/registration-links/{linkId}',
        ]),
      );
      // The refusals that keep an account usable are documented with the error body.
      const responses = (path: string) =>
        (res.body.paths[path].delete as { responses: Record<string, { description: string }> })
          .responses;
      expect(responses('/api/api-keys/{id}')['409'].description).toContain('last active key');
      expect(responses('/api/integrations/{id}')['409'].description).toContain('Destinations');
    });
  });
});
