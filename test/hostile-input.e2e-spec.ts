/**
 * SPEC section 9: whatever a partner, a visitor or a tenant sends ends as data in the read
 * models (U+FFFD for what PostgreSQL refuses), never as a dead letter, a postback stuck in
 * `received`, a lost click or a 5xx; API parameters are matched as data, and only a parameter
 * failing its own format is a 400 naming it.
 */
import { apiClient, eventually, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';

interface LogItem {
  id: string;
  status: string;
  errorCode: string | null;
  clickId: string | null;
  params: Record<string, unknown>;
}

const FINAL = ['attributed', 'duplicate', 'unmatched', 'rejected'];

/** Query values a partner, visitor or tenant may send, as they appear in a URL (encoded). */
const HOSTILE_VALUES = [
  'a%00b',
  '%00',
  '%ED%A0%80', // a lone surrogate in (invalid) UTF-8
  '%C3%28', // invalid UTF-8
  '%F0%9F%98%80',
  '%zz',
  '%',
  '__proto__',
  'constructor',
  'toString',
  "'%3B--",
  '%5Cu0000',
  'x'.repeat(3000),
];

describe('hostile input end to end (SPEC section 9)', () => {
  let tracker: TestApp;
  let apiKey: string;
  let integrationId: string;
  let trackingPath: string;

  const api = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );

  const postback = async (event: string, query: string, body?: Record<string, string>) => {
    const response = await fetch(
      `${tracker.baseUrl}/api/postbacks/${integrationId}/tracker-postback?tracker.event=${event}&${query}`,
      body === undefined
        ? undefined
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          },
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  };

  const finalItem = (id: string) =>
    eventually(
      async () => {
        const item = await api('GET', `/api/postback-logs/${id}`);
        expect(item.status).toBe(200);
        expect(FINAL).toContain(item.body.status);
        return item.body as LogItem;
      },
      { timeoutMs: 20_000 },
    );

  const visit = async (query: string) => {
    const redirect = await fetch(`${tracker.baseUrl}${trackingPath}?${query}`, {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    return new URL(redirect.headers.get('location')!).searchParams.get('click_id')!;
  };

  /** A visit whose click attribution already knows: its postbacks never wait as `unmatched`. */
  const visitKnown = async (query: string) => {
    const clickId = await visit(query);
    await eventually(async () =>
      expect((await api('GET', `/api/clicks/${clickId}`)).status).toBe(200),
    );
    return clickId;
  };

  beforeAll(async () => {
    tracker = await startTestApp({ name: 'hostile', features: TRACKER_FEATURES });
    const account = await api<{ apiKey: string }>('POST', '/api/accounts', {
      body: { name: 'Hostile' },
      key: tracker.config.adminToken,
    });
    apiKey = account.body.apiKey;
    const created = await api('POST', '/api/integrations', {
      body: { template: 'pocket-option-revshare' },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
    const link = await api('POST', `/api/integrations/${integrationId}/registration-links`, {
      body: { name: 'Main', baseUrl: 'https://partner.example/register' },
    });
    expect(link.status).toBe(201);
    trackingPath = new URL(link.body.trackingUrl as string).pathname;
  });

  afterAll(async () => {
    await tracker?.close();
  });

  it('keeps a click whose /r/ query holds NUL, lone surrogates and prototype names', async () => {
    const clickId = await visit(
      'campaign=a%00b&source=%ED%A0%80&subscriber=s%00&x%00=y&__proto__=p&constructor=c&toString=t',
    );
    const click = await eventually(async () => {
      const found = await api('GET', `/api/clicks/${clickId}`);
      expect(found.status).toBe(200);
      return found.body;
    });
    expect(click.campaign).toBe('a\ufffdb');
    expect(click.subscriberId).toBe('s\ufffd');
    expect(click.params).toEqual({
      'x\ufffd': 'y',
      ['__proto__']: 'p',
      constructor: 'c',
      toString: 't',
    });
    expect(Object.keys(click.params)).toContain('__proto__');

    // Its postbacks are attributed, not left unmatched for want of the click.
    const registration = await finalItem(await postback('registration', `click_id=${clickId}`));
    expect(registration.status).toBe('attributed');

    // The funnel finds the campaign by the value as sent: NUL is matched as data.
    const funnel = await api('GET', `/api/funnel?campaign=a%00b&integrationId=${integrationId}`);
    expect(funnel.status).toBe(200);
    expect(funnel.body.rows[0]).toMatchObject({ clicks: 1, registrations: 1 });
  });

  it('keeps a click registered through the API with prototype names and unstorable text', async () => {
    const created = await api('POST', '/api/clicks', {
      body: {
        integrationId,
        campaign: 'c\0\ud800',
        params: { constructor: 'c', toString: 't', hasOwnProperty: ['h'], k: '\udc00\0' },
      },
    });
    expect(created.status).toBe(201);
    const click = await eventually(async () => {
      const found = await api('GET', `/api/clicks/${created.body.clickId}`);
      expect(found.status).toBe(200);
      return found.body;
    });
    expect(click.campaign).toBe('c\ufffd\ufffd');
    expect(click.params).toEqual({
      constructor: 'c',
      toString: 't',
      hasOwnProperty: ['h'],
      k: '\ufffd\ufffd',
    });
  });

  it('gives postbacks with NUL or lone surrogates in tid, fields and values a final status', async () => {
    const clickId = await visitKnown('campaign=plain');
    const ids = [
      await postback('registration', `click_id=${clickId}&tracker.tid=x%00y&trader_id=T%00`),
      await postback('resale', `click_id=${clickId}&sumdep=5&tracker.tid=%ED%A0%80`),
      await postback('resale', `click_id=${clickId}&sumdep=6&fields.a=x%00y`),
      await postback('resale', `click_id=${clickId}&sumdep=7&free=%00&%00=%00`),
      // Lone surrogates only arrive as JSON escapes (a URL's invalid UTF-8 decodes to U+FFFD).
      await postback('resale', `click_id=${clickId}`, {
        sumdep: '8',
        'tracker.tid': '\udc00x',
        'fields.b': '\ud800',
        '\ud83d': '\ud83d\ude00',
      }),
    ];
    const items = await Promise.all(ids.map(finalItem));
    expect(items.map((i) => i.status)).toEqual(ids.map(() => 'attributed'));
    expect(items[3].params).toMatchObject({ free: '\ufffd', '\ufffd': '\ufffd' });
    expect(items[4].params).toMatchObject({ 'fields.b': '\ufffd', '\ufffd': '😀' });

    const journey = await api('GET', `/api/clicks/${clickId}`);
    expect(journey.status).toBe(200);
    expect(journey.body.fields).toMatchObject({ trader_id: 'T\ufffd', a: 'x\ufffdy', b: '\ufffd' });

    // Two tids stored alike (a NUL and its U+FFFD) are one tid: a duplicate, not a dead letter.
    const first = await finalItem(
      await postback('resale', `click_id=${clickId}&sumdep=9&tracker.tid=t%00`),
    );
    const twin = await finalItem(
      await postback('resale', `click_id=${clickId}&sumdep=9&tracker.tid=t%EF%BF%BD`),
    );
    expect([first.status, twin.status]).toEqual(['attributed', 'duplicate']);

    // q and clickId match the stored text, a NUL searching for its U+FFFD.
    const found = await api('GET', `/api/postback-logs?q=x%00y&integrationId=${integrationId}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((i: LogItem) => i.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('decodes invalid UTF-8 to U+FFFD for the verdict, the log, the click and API filters', async () => {
    // SPEC section 5 "Reading values": never the literal text `%FF`.
    const clickId = await visit('campaign=c%FF&x%C3%28=%ED%A0%80');
    const click = await eventually(async () => {
      const found = await api('GET', `/api/clicks/${clickId}`);
      expect(found.status).toBe(200);
      return found.body;
    });
    expect(click.campaign).toBe('c\ufffd');
    expect(click.params).toEqual({ 'x\ufffd(': '\ufffd\ufffd\ufffd' });

    const deposit = await finalItem(
      await postback('resale', `click_id=${clickId}&sumdep=5&tracker.tid=%C3%28t&fields.a=%FF`),
    );
    expect(deposit.status).toBe('attributed');
    expect(deposit.params).toMatchObject({ 'tracker.tid': '\ufffd(t', 'fields.a': '\ufffd' });
    const form = await fetch(
      `${tracker.baseUrl}/api/postbacks/${integrationId}/tracker-postback?tracker.event=resale`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `click_id=${clickId}&sumdep=6&tracker.tid=form&fields.b=b%FF`,
      },
    );
    expect(form.status).toBe(200);
    const formItem = await finalItem(((await form.json()) as { id: string }).id);
    expect(formItem.status).toBe('attributed');
    expect(formItem.params).toMatchObject({ 'fields.b': 'b\ufffd' });
    const journey = await api('GET', `/api/clicks/${clickId}`);
    expect(journey.body.fields).toMatchObject({ a: '\ufffd', b: 'b\ufffd' });
    expect(journey.body.events.map((e: { tid: string }) => e.tid)).toContain('\ufffd(t');

    // A click id with an undecodable byte is read as U+FFFD: not a tracker click id.
    const stray = await finalItem(await postback('registration', 'click_id=%FFabc'));
    expect([stray.status, stray.errorCode, stray.clickId]).toEqual([
      'rejected',
      'click_not_found',
      '\ufffdabc',
    ]);

    // The dry run reads the same values.
    const check = await api('POST', `/api/integrations/${integrationId}/postback-check`, {
      body: {
        url: `/api/postbacks/${integrationId}/tracker-postback?tracker.event=resale&click_id=${clickId}&sumdep=1&tracker.tid=new&fields.a=%FF`,
      },
    });
    expect(check.status).toBe(200);
    expect(check.body.fields).toEqual({ a: '\ufffd' });

    // API parameters decode the same way: `%FF` searches for the U+FFFD that was stored.
    const found = await api('GET', `/api/postback-logs?q=b%FF&integrationId=${integrationId}`);
    expect(found.body.items.map((i: LogItem) => i.id)).toEqual([formItem.id]);
    const byClick = await api(
      'GET',
      `/api/postback-logs?clickId=%FFabc&integrationId=${integrationId}`,
    );
    expect(byClick.body.items.map((i: LogItem) => i.id)).toEqual([stray.id]);
    const funnel = await api('GET', `/api/funnel?campaign=c%FF&integrationId=${integrationId}`);
    expect(funnel.body.rows[0]).toMatchObject({ clicks: 1, firstDeposits: 1 });
  });

  it('logs a postback whose click id is 3,000 random characters long', async () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const long = Array.from(
      { length: 3000 },
      () => alphabet[Math.floor(Math.random() * alphabet.length)],
    ).join('');
    const item = await finalItem(await postback('registration', `click_id=${long}`));
    // SPEC section 5: no late click can ever match it, so it is final at once.
    expect(item.status).toBe('rejected');
    expect(item.errorCode).toBe('click_not_found');
    expect(item.clickId).toBe(long);
    const byClick = await api('GET', `/api/postback-logs?clickId=${long}`);
    expect(byClick.status).toBe(200);
    expect(byClick.body.items.map((i: LogItem) => i.id)).toEqual([item.id]);
  });

  it('takes prototype member names as custom fields, in tenant settings and in postbacks', async () => {
    const patched = await api('PATCH', `/api/integrations/${integrationId}`, {
      body: {
        fieldParams: { trader_id: 'trader_id', constructor: 'toString', toString: 'constructor' },
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.fieldParams).toEqual({
      trader_id: 'trader_id',
      constructor: 'toString',
      toString: 'constructor',
    });
    const clickId = await visitKnown('campaign=proto');
    const item = await finalItem(
      await postback(
        'registration',
        `click_id=${clickId}&toString=T&constructor=C&__proto__=P&fields.__proto__=F&fields.hasOwnProperty=H`,
      ),
    );
    expect(item.status).toBe('attributed');
    expect(Object.keys(item.params)).toEqual(
      expect.arrayContaining(['toString', 'constructor', '__proto__']),
    );
    // A later postback without those parameters: a mapping to `toString` finds no value.
    const bare = await finalItem(await postback('conf', `click_id=${clickId}`));
    expect(bare.status).toBe('attributed');
    const journey = await api('GET', `/api/clicks/${clickId}`);
    expect(journey.body.fields).toMatchObject({ constructor: 'T', toString: 'C' });
    expect(journey.body.fields.hasOwnProperty).toBe('H');
  });

  it('answers every API route with hostile query and path values without a 5xx', async () => {
    const uuid = '00000000-0000-4000-8000-000000000000';
    const queryRoutes: Array<[path: string, params: string[]]> = [
      [
        '/api/postback-logs',
        ['integrationId', 'event', 'status', 'clickId', 'q', 'from', 'to', 'limit', 'cursor'],
      ],
      ['/api/funnel', ['integrationId', 'campaign', 'from', 'to', 'groupBy', 'tz']],
      ['/api/integrations', ['limit', 'cursor']],
      ['/api/api-keys', ['limit', 'cursor']],
      ['/api/integration-templates', ['x']],
      [`/api/integrations/${integrationId}/registration-links`, ['limit']],
      [`/api/integrations/${integrationId}/events`, ['limit']],
    ];
    // Parameters without a format of their own: any value is data and the answer is 200.
    const free = new Set(['event', 'clickId', 'q', 'campaign', 'x']);
    const problems: string[] = [];
    for (const [path, params] of queryRoutes) {
      for (const param of params) {
        for (const value of HOSTILE_VALUES) {
          const response = await api('GET', `${path}?${param}=${value}`);
          const fine = free.has(param)
            ? response.status === 200 || (value.length > 256 && response.status === 400)
            : response.status === 200 || response.status === 400;
          if (!fine) problems.push(`${path}?${param}=${value.slice(0, 20)} → ${response.status}`);
          else if (response.status === 400 && !JSON.stringify(response.body).includes(param))
            problems.push(`${path}?${param}=${value.slice(0, 20)} → 400 not naming it`);
        }
      }
    }
    const pathRoutes: Array<[method: string, path: (v: string) => string]> = [
      ['GET', (v) => `/api/clicks/${v}`],
      ['GET', (v) => `/api/postback-logs/${v}`],
      ['GET', (v) => `/api/integrations/${v}`],
      ['PATCH', (v) => `/api/integrations/${v}`],
      ['DELETE', (v) => `/api/integrations/${v}`],
      ['GET', (v) => `/api/integrations/${v}/registration-links`],
      ['DELETE', (v) => `/api/integrations/${integrationId}/registration-links/${v}`],
      ['GET', (v) => `/api/integrations/${v}/events`],
      ['DELETE', (v) => `/api/integrations/${integrationId}/events/${v}`],
      ['DELETE', (v) => `/api/api-keys/${v}`],
      ['GET', (v) => `/r/${v}`],
      ['GET', (v) => `/api/postbacks/${v}/tracker-postback`],
      ['GET', (v) => `/api/postbacks/${uuid}/tracker-postback?tracker.event=${v}&${v}=${v}`],
    ];
    for (const [method, path] of pathRoutes) {
      for (const value of HOSTILE_VALUES.filter((v) => v.length < 600)) {
        const response = await api(method, path(value), {
          body: method === 'PATCH' ? {} : undefined,
        });
        if (response.status >= 500 || response.status < 200)
          problems.push(`${method} ${path(value)} → ${response.status}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
