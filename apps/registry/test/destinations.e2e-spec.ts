/**
 * Destinations in the registry (SPEC section 4): CRUD, template and macro validation, masked
 * secrets, literal private addresses refused at save, snapshots on tracker.destinations.v1.
 * DESTINATIONS_ALLOW_PRIVATE is left false here (the SSRF rules are what is tested).
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { DestinationChangedPayload, Topics } from '@tracker/contracts';
import { nonPublicRange } from '@tracker/destinations';
import { TopicReader } from '@tracker/kafka';
import { closeSeedProducer, eventually, startTestApp, TestApp } from '@tracker/testing';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { RegistryModule } from '../src/registry.module';
import { apiClient, ApiResult, latest, startReader } from './registry-test-kit';

interface Account {
  id: string;
  apiKey: string;
}

interface DestinationView {
  id: string;
  name: string;
  integrationId: string | null;
  stages: string[];
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

const TELEGRAM = {
  name: 'Deposit bot',
  stages: ['first_deposit', 'redeposit'],
  method: 'POST',
  url: 'https://api.telegram.org/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage?token=tok-abcdef123456',
  headers: { 'Content-Type': 'application/json', 'Access-Token': 'secret-header-9876' },
  body: '{"chat_id":"42","text":"deposit #{ordinal} of click {clickid}"}',
};

describe('destinations in the registry (real Kafka + PostgreSQL)', () => {
  let app: TestApp;
  let api: ReturnType<typeof apiClient>;
  let topic: TopicReader;
  let a: Account;
  let b: Account;

  const createAccount = async (name: string): Promise<Account> => {
    const res = await api<Account>('POST', '/api/accounts', {
      key: app.config.adminToken,
      body: { name },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  /** A 4xx naming `mentions`; a 400 also names the request field at fault (SPEC section 4). */
  const expectError = (res: ApiResult, status: number, mentions: string, field?: string) => {
    expect(res.body).toEqual({
      statusCode: status,
      message: expect.stringContaining(mentions),
      ...(status === 400 ? { field: field ?? expect.any(String) } : {}),
    });
  };
  const snapshot = (id: string) =>
    eventually(() => {
      const message = latest(topic, id);
      expect(message).toBeDefined();
      return message!.event ? (message!.event.payload as DestinationChangedPayload) : null;
    });

  beforeAll(async () => {
    app = await startTestApp({ name: 'registry-destinations', features: [RegistryModule] });
    api = apiClient(app.baseUrl);
    topic = await startReader(Topics.Destinations);
    [a, b] = await Promise.all([createAccount('Team A'), createAccount('Team B')]);
  });

  afterAll(async () => {
    await topic?.stop();
    await app?.close();
    await closeSeedProducer();
  });

  it('lists ready templates: S2S GET, Facebook CAPI, TikTok Events, Telegram bot', async () => {
    const res = await api<Array<{ id: string; method: string; stages: string[] }>>(
      'GET',
      '/api/destination-templates',
      { key: a.apiKey },
    );
    expect(res.status).toBe(200);
    expect(res.body.map((t) => t.id)).toEqual([
      's2s-get',
      'facebook-capi',
      'tiktok-events',
      'telegram-bot',
      'telegram-bot-signups',
    ]);
    // Each template saves as it is as a draft (placeholders are literal text, every macro is
    // known); enabled, its placeholders must be replaced first.
    for (const template of res.body) {
      const { id: _id, ...fields } = template;
      const created = await api('POST', '/api/destinations', {
        key: b.apiKey,
        body: { ...fields, enabled: false },
      });
      const enabled = await api<{ field?: string; message: string }>('POST', '/api/destinations', {
        key: b.apiKey,
        body: { ...fields, enabled: true },
      });
      expect({
        template: template.id,
        draft: created.status,
        enabled: enabled.status,
        message: enabled.body.message,
      }).toEqual({
        template: template.id,
        draft: 201,
        enabled: 400,
        message: expect.stringContaining("still holds the template's placeholder"),
      });
    }
  });

  it('creates a destination: secrets masked in the answer, in full on the snapshot topic', async () => {
    const res = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: TELEGRAM,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Deposit bot',
      integrationId: null,
      stages: ['first_deposit', 'redeposit'],
      method: 'POST',
      url: 'https://api.telegram.org/bot•••Dsaw/sendMessage?token=•••3456',
      headers: { 'Content-Type': 'application/json', 'Access-Token': '•••9876' },
      body: TELEGRAM.body,
      enabled: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(await api('GET', '/api/destinations', { key: a.apiKey }))).not.toContain(
      'PALDsaw',
    );
    const published = await snapshot(res.body.id);
    expect(published).toMatchObject({
      accountId: a.id,
      url: TELEGRAM.url,
      headers: TELEGRAM.headers,
      activeSince: res.body.createdAt,
    });
  });

  it('keeps a stored secret when a PATCH sends its masked value back', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: TELEGRAM,
    });
    const patched = await api<DestinationView>('PATCH', `/api/destinations/${created.body.id}`, {
      key: a.apiKey,
      body: {
        name: 'Renamed',
        url: created.body.url.replace('sendMessage', 'sendPhoto'),
        headers: { ...created.body.headers, 'X-Extra': 'v' },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.url).toBe('https://api.telegram.org/bot•••Dsaw/sendPhoto?token=•••3456');
    await eventually(async () => {
      const published = await snapshot(created.body.id);
      expect(published).toMatchObject({
        name: 'Renamed',
        url: TELEGRAM.url.replace('sendMessage', 'sendPhoto'),
        headers: { ...TELEGRAM.headers, 'X-Extra': 'v' },
      });
    });
    // A masked value that stands for no stored secret is refused, not stored.
    expectError(
      await api('PATCH', `/api/destinations/${created.body.id}`, {
        key: a.apiKey,
        body: { headers: { Authorization: '•••zzzz' } },
      }),
      400,
      'masked',
    );
  });

  it('never hands a stored secret to another address: a masked value sent with a new host is refused', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: TELEGRAM,
    });
    const before = (await snapshot(created.body.id))!;
    for (const body of [
      // The masked token and bot segment, moved to a host of one's own.
      { url: created.body.url.replace('https://api.telegram.org', 'http://127.0.0.1:3999') },
      { url: created.body.url.replace('https://', 'http://') },
      // The masked Authorization header, with the URL moved elsewhere.
      { url: 'https://collector.example/hook', headers: created.body.headers },
      // The headers left out: the stored secret header must not follow the URL either.
      { url: 'https://collector.example/hook' },
    ]) {
      expectError(
        await api('PATCH', `/api/destinations/${created.body.id}`, { key: a.apiKey, body }),
        400,
        'kept only while the URL keeps its scheme, host and port',
      );
    }
    // The same host keeps them; nothing refused was stored or published.
    const same = await api<DestinationView>('PATCH', `/api/destinations/${created.body.id}`, {
      key: a.apiKey,
      body: { url: created.body.url, headers: created.body.headers },
    });
    expect(same.status).toBe(200);
    const after = (await snapshot(created.body.id))!;
    expect({ url: after.url, headers: after.headers }).toEqual({
      url: before.url,
      headers: before.headers,
    });
  });

  it('refuses unknown macros, CR/LF in headers and bad fields, naming them', async () => {
    const post = (body: Record<string, unknown>) =>
      api('POST', '/api/destinations', { key: a.apiKey, body: { ...TELEGRAM, ...body } });
    expectError(await post({ url: 'https://t.example/p?x={payout}' }), 400, '{payout}', 'url');
    expectError(
      await post({ body: '{"a":"{fields}"}' }),
      400,
      'body uses an unknown macro {fields}',
      'body',
    );
    expectError(
      await post({ headers: { 'X-A': 'a\r\nSet-Cookie: x' } }),
      400,
      'headers.X-A',
      'headers.X-A',
    );
    expectError(await post({ stages: [] }), 400, 'stages', 'stages');
    expectError(await post({ stages: ['deposit'] }), 400, "unknown stage 'deposit'", 'stages');
    expectError(await post({ method: 'PUT' }), 400, 'method', 'method');
    expectError(await post({ method: 'GET' }), 400, 'body is only for POST', 'body');
    expectError(
      await post({ integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc' }),
      400,
      'integrationId',
      'integrationId',
    );
  });

  it('refuses headers the sender sets itself, at create and at PATCH, naming the header', async () => {
    // This machine's own name: a test send stops at the private address, after rendering.
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: {
        ...TELEGRAM,
        url: `http://${hostname()}:9/p?c={clickid}`,
        headers: { 'Content-Type': 'application/json', 'X-Source': 'tracker' },
      },
    });
    expect(created.status).toBe(201);
    const post = (headers: Record<string, string>) =>
      api('POST', '/api/destinations', { key: a.apiKey, body: { ...TELEGRAM, headers } });
    const patch = (headers: Record<string, string>) =>
      api('PATCH', `/api/destinations/${created.body.id}`, {
        key: a.apiKey,
        body: { headers },
      });
    expectError(
      await post({ Host: 'evil.com', 'Content-Length': '5', 'Transfer-Encoding': 'chunked' }),
      400,
      'headers.Host may not be set',
      'headers.Host',
    );
    for (const name of [
      'content-length',
      'Transfer-Encoding',
      'CONNECTION',
      'Keep-Alive',
      'Upgrade',
      'Expect',
      'TE',
      'Trailer',
      'Proxy-Connection',
      'idempotency-key',
    ]) {
      expectError(
        await post({ [name]: 'x' }),
        400,
        `headers.${name} may not be set`,
        `headers.${name}`,
      );
      expectError(
        await patch({ 'Content-Type': 'application/json', [name]: 'x' }),
        400,
        `headers.${name} may not be set`,
        `headers.${name}`,
      );
    }
    // Nothing was changed by the refused PATCHes; a valid one still saves.
    const kept = await api<DestinationView>('GET', `/api/destinations/${created.body.id}`, {
      key: a.apiKey,
    });
    expect(kept.body.headers).toEqual({
      'Content-Type': 'application/json',
      'X-Source': 'tracker',
    });
    const changed = await patch({ 'Content-Type': 'application/json', 'X-Source': 'bot' });
    expect(changed.status).toBe(200);
    expect(changed.body.headers).toEqual({
      'Content-Type': 'application/json',
      'X-Source': 'bot',
    });
    // The test send still renders the valid headers, with the sender's own Idempotency-Key.
    const sent = await api<{
      request: { headers: Record<string, string> };
      response: { error: string };
    }>('POST', `/api/destinations/${created.body.id}/test`, { key: a.apiKey });
    expect(sent.status).toBe(200);
    expect(sent.body.request.headers).toEqual({
      'Content-Type': 'application/json',
      'X-Source': 'bot',
      'Idempotency-Key': expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(sent.body.response.error).toContain('private address');
  });

  it('pages the list oldest first with limit and cursor (SPEC section 4: list routes are bounded)', async () => {
    const paged = await createAccount('Paged destinations');
    const made: string[] = [];
    for (const name of ['one', 'two', 'three', 'four', 'five']) {
      const res = await api<{ id: string }>('POST', '/api/destinations', {
        key: paged.apiKey,
        body: { ...TELEGRAM, name },
      });
      expect(res.status).toBe(201);
      made.push(res.body.id);
    }
    type Page = { items: Array<{ id: string; name: string }>; nextCursor: string | null };
    const list = (query: string) =>
      api<Page>('GET', `/api/destinations${query}`, { key: paged.apiKey });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await list(query);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);
    const whole = await list('');
    expect(whole.body.items.map((item) => item.id)).toEqual(made);
    expect(whole.body.nextCursor).toBeNull();
    expect((await list('?limit=500')).body.nextCursor).toBeNull();

    expectError(await list('?limit=0'), 400, 'limit', 'limit');
    expectError(await list('?limit=501'), 400, 'limit', 'limit');
    expectError(await list('?limit=ten'), 400, 'limit', 'limit');
    expectError(await list('?cursor=garbage'), 400, 'cursor', 'cursor');
    expectError(await list('?cursor=%FF%00'), 400, 'cursor', 'cursor');
    // Another account's cursor pages nothing of theirs.
    const first = await list('?limit=1');
    const foreign = await api<Page>(
      'GET',
      `/api/destinations?cursor=${encodeURIComponent(first.body.nextCursor!)}`,
      { key: b.apiKey },
    );
    expect(foreign.status).toBe(200);
    expect(foreign.body.items.map((item) => item.id)).not.toContain(made[1]);
  });

  it('refuses literal loopback, private, link-local and metadata addresses at save', async () => {
    for (const url of [
      'http://127.0.0.1:9000/p',
      'http://10.0.0.7/p',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/p',
      'http://[::7f00:1]/p',
      'http://[::ffff:a9fe:a9fe]/latest/meta-data',
      'http://localhost/p',
    ]) {
      const res = await api('POST', '/api/destinations', {
        key: a.apiKey,
        body: { ...TELEGRAM, url },
      });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.body.message).toContain('DESTINATIONS_ALLOW_PRIVATE');
    }
  });

  it('refuses a name that resolves to a private address at send time (test send)', async () => {
    const name = hostname();
    // Precondition: this machine's own name resolves to a loopback or private address.
    const resolved = await lookup(name);
    expect(nonPublicRange(resolved.address)).not.toBeNull();
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, url: `http://${name}:9/p?c={clickid}` },
    });
    expect(created.status).toBe(201);
    const sent = await api<{ response: { status: number | null; error: string } }>(
      'POST',
      `/api/destinations/${created.body.id}/test`,
      { key: a.apiKey },
    );
    expect(sent.status).toBe(200);
    expect(sent.body.response.status).toBeNull();
    expect(sent.body.response.error).toContain('private address');
  });

  it('keeps accounts apart and tombstones a deleted destination', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: TELEGRAM,
    });
    const id = created.body.id;
    expectError(await api('GET', `/api/destinations/${id}`, { key: b.apiKey }), 404, 'not found');
    expectError(
      await api('PATCH', `/api/destinations/${id}`, { key: b.apiKey, body: { name: 'x' } }),
      404,
      'not found',
    );
    expectError(
      await api('DELETE', `/api/destinations/${id}`, { key: b.apiKey }),
      404,
      'not found',
    );
    expectError(
      await api('POST', `/api/destinations/${id}/test`, { key: b.apiKey }),
      404,
      'not found',
    );
    const listB = await api<{ items: DestinationView[] }>('GET', '/api/destinations', {
      key: b.apiKey,
    });
    expect(listB.body.items.map((d) => d.id)).not.toContain(id);

    expect((await api('DELETE', `/api/destinations/${id}`, { key: a.apiKey })).status).toBe(204);
    await eventually(() => expect(latest(topic, id)?.event).toBeNull());
    expect((await api('GET', `/api/destinations/${id}`, { key: a.apiKey })).status).toBe(404);
  });

  it('moves activeSince when a disabled destination is enabled again', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, enabled: false },
    });
    const id = created.body.id;
    const before = await snapshot(id);
    await api('PATCH', `/api/destinations/${id}`, { key: a.apiKey, body: { enabled: true } });
    await eventually(async () => {
      const after = await snapshot(id);
      expect(after?.enabled).toBe(true);
      expect(Date.parse(after!.activeSince)).toBeGreaterThan(Date.parse(before!.activeSince));
    });
  });

  it('refuses to delete an integration that destinations still use (409 naming them)', async () => {
    const integration = await api<{ id: string }>('POST', '/api/integrations', {
      key: a.apiKey,
      body: { template: 'custom', name: 'In use' },
    });
    const integrationId = integration.body.id;
    const fb = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, name: 'FB CAPI', integrationId },
    });
    const bot = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, name: 'Bot', integrationId, enabled: false },
    });
    expect([fb.status, bot.status]).toEqual([201, 201]);

    expect(
      (await api('DELETE', `/api/integrations/${integrationId}`, { key: a.apiKey })).body,
    ).toEqual({
      statusCode: 409,
      message:
        "destinations 'FB CAPI', 'Bot' send this integration's conversions; change or delete them first",
    });
    expect((await api('GET', `/api/integrations/${integrationId}`, { key: a.apiKey })).status).toBe(
      200,
    );

    // Once one goes to every integration, the other alone is named.
    const moved = await api<DestinationView>('PATCH', `/api/destinations/${fb.body.id}`, {
      key: a.apiKey,
      body: { integrationId: null },
    });
    expect(moved.body.integrationId).toBeNull();
    expectError(
      await api('DELETE', `/api/integrations/${integrationId}`, { key: a.apiKey }),
      409,
      "destination 'Bot' sends this integration's conversions; change or delete it first",
    );
    expect(
      (await api('DELETE', `/api/destinations/${bot.body.id}`, { key: a.apiKey })).status,
    ).toBe(204);
    expect(
      (await api('DELETE', `/api/integrations/${integrationId}`, { key: a.apiKey })).status,
    ).toBe(204);
    // A destination can no longer be pointed at it.
    expectError(
      await api('PATCH', `/api/destinations/${fb.body.id}`, {
        key: a.apiKey,
        body: { integrationId },
      }),
      400,
      'integrationId',
      'integrationId',
    );
  });

  it('still saves a destination left pointing at a deleted integration, when its integrationId is not changed', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, name: 'Orphan' },
    });
    const id = created.body.id;
    // Left so by versions that deleted an integration without asking.
    const registry = app.app.get<DataSource>(getDataSourceToken('registry'));
    await registry.query('UPDATE registry.destinations SET integration_id = $1 WHERE id = $2', [
      '00000000-0000-4000-8000-0000000000aa',
      id,
    ]);
    const renamed = await api<DestinationView>('PATCH', `/api/destinations/${id}`, {
      key: a.apiKey,
      body: { name: 'Orphan renamed', enabled: false },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Orphan renamed', enabled: false });
    const fixed = await api<DestinationView>('PATCH', `/api/destinations/${id}`, {
      key: a.apiKey,
      body: { integrationId: null },
    });
    expect(fixed.body.integrationId).toBeNull();
  });

  it('stores and publishes an integration id sent in upper case in lower case', async () => {
    const integration = await api<{ id: string }>('POST', '/api/integrations', {
      key: a.apiKey,
      body: { template: 'pocket-option-revshare' },
    });
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, integrationId: integration.body.id.toUpperCase() },
    });
    expect(created.status).toBe(201);
    expect(created.body.integrationId).toBe(integration.body.id);
    await eventually(async () =>
      expect((await snapshot(created.body.id))?.integrationId).toBe(integration.body.id),
    );
    const patched = await api<DestinationView>('PATCH', `/api/destinations/${created.body.id}`, {
      key: a.apiKey,
      body: { integrationId: integration.body.id.toUpperCase(), name: 'Upper again' },
    });
    expect(patched.body.integrationId).toBe(integration.body.id);
    await eventually(async () =>
      expect(await snapshot(created.body.id)).toMatchObject({
        name: 'Upper again',
        integrationId: integration.body.id,
      }),
    );
  });

  it('keeps headers named like prototype members (constructor, toString, hasOwnProperty)', async () => {
    const headers = { constructor: 'c-1', toString: 't-2', hasOwnProperty: 'h-3', 'X-Plain': 'p' };
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, headers },
    });
    expect(created.status).toBe(201);
    expect(created.body.headers).toEqual(headers);
    await eventually(async () =>
      expect((await snapshot(created.body.id))?.headers).toEqual(headers),
    );
    const patched = await api<DestinationView>('PATCH', `/api/destinations/${created.body.id}`, {
      key: a.apiKey,
      body: { headers: { toString: 't-3' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.headers).toEqual({ toString: 't-3' });
  });

  it('refuses a header value that is not a string with a 400 naming it, at create and at PATCH', async () => {
    const created = await api('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, headers: { 'X-Num': 1 } },
    });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({
      field: 'headers',
      message: 'headers.X-Num must be a string',
    });
    const saved = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: TELEGRAM,
    });
    const patched = await api('PATCH', `/api/destinations/${saved.body.id}`, {
      key: a.apiKey,
      body: { headers: { 'X-Obj': { a: 1 } } },
    });
    expect(patched.status).toBe(400);
    expect(patched.body).toMatchObject({
      field: 'headers',
      message: 'headers.X-Obj must be a string',
    });
  });

  it('answers names and URLs as stored (NUL, lone surrogates as U+FFFD), and takes upper-case parameter names', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: {
        ...TELEGRAM,
        name: 'D\u0000\ud800',
        method: 'GET',
        body: null,
        headers: {},
        url: 'https://example.com/pb?CHAT_ID=12345&ACCESS_TOKEN=real-token-1&n=\u0000&sub={clickid}',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('D\ufffd\ufffd');
    expect(created.body.url).toBe(
      'https://example.com/pb?CHAT_ID=12345&ACCESS_TOKEN=•••en-1&n=\ufffd&sub={clickid}',
    );
    expect(
      (await api<DestinationView>('GET', `/api/destinations/${created.body.id}`, { key: a.apiKey }))
        .body.name,
    ).toBe(created.body.name);
  });

  it('switches off a stored destination that breaks a rule added since it was saved', async () => {
    const created = await api<DestinationView>('POST', '/api/destinations', {
      key: a.apiKey,
      body: { ...TELEGRAM, name: 'Old rules' },
    });
    const id = created.body.id;
    // Saved before Host was refused at save.
    const registry = app.app.get<DataSource>(getDataSourceToken('registry'));
    await registry.query(
      `UPDATE registry.destinations SET headers = '{"Host": "evil.example"}'::jsonb WHERE id = $1`,
      [id],
    );
    const renamed = await api('PATCH', `/api/destinations/${id}`, {
      key: a.apiKey,
      body: { name: 'Old rules, renamed' },
    });
    expectError(renamed, 400, 'headers.Host', 'headers.Host');
    const off = await api<DestinationView>('PATCH', `/api/destinations/${id}`, {
      key: a.apiKey,
      body: { name: 'Old rules (off)', enabled: false },
    });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ name: 'Old rules (off)', enabled: false });
    expectError(
      await api('PATCH', `/api/destinations/${id}`, { key: a.apiKey, body: { enabled: true } }),
      400,
      'headers.Host',
      'headers.Host',
    );
  });
});
