import { randomUUID } from 'node:crypto';
import {
  AccountChangedPayload,
  ClickRegisteredEvent,
  PostbackReceivedEvent,
  Topics,
} from '@tracker/contracts';
import { createKafkaClient, ConsumedEvent, TopicReader } from '@tracker/kafka';
import {
  apiClient,
  closeSeedProducer,
  eventually,
  publishIntegration,
  seedAccount,
  seedIntegration,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { IngressModule } from '../src/ingress.module';

describe('ingress (e2e over HTTP, events read back from Kafka)', () => {
  let app: TestApp;
  let postbacks: TopicReader;
  let clicks: TopicReader;
  let account: AccountChangedPayload;
  let apiKey: string;

  beforeAll(async () => {
    app = await startTestApp({
      name: 'ingress',
      features: [IngressModule],
      databaseUrl: process.env.TEST_DATABASE_URL,
    });
    const kafka = createKafkaClient({ brokers: app.config.kafkaBrokers!, clientId: 'ingress-e2e' });
    postbacks = await new TopicReader(kafka, Topics.Postbacks).start();
    clicks = await new TopicReader(kafka, Topics.Clicks).start();
    ({ account, apiKey } = await seedAccount('Ingress e2e'));
  });

  afterAll(async () => {
    await postbacks?.stop();
    await clicks?.stop();
    await app?.close();
    await closeSeedProducer();
  });

  const postbackOf = (id: string) =>
    eventually(() => {
      const found = postbacks.messages.filter((m) => m.event?.id === id);
      expect(found).toHaveLength(1);
      return found[0] as ConsumedEvent & { event: PostbackReceivedEvent };
    });

  const clickOf = (clickId: string) =>
    eventually(() => {
      const found = clicks.messages.filter(
        (m) => m.event?.type === 'ClickRegistered' && m.event.payload.clickId === clickId,
      );
      expect(found).toHaveLength(1);
      return found[0] as ConsumedEvent & { event: ClickRegisteredEvent };
    });

  describe('postbacks', () => {
    it('publishes a GET postback with envelope, headers, key and the raw URL', async () => {
      const integration = await seedIntegration(account.id);
      const path = `/api/postbacks/${integration.id}/tracker-postback`;
      const query = '?tracker.event=resale&click_id=Xk3p9QmZ2rTa&sumdep=50.00&a=%20b&a=c+d';
      const res = await fetch(`${app.baseUrl}${path}${query}`, {
        headers: { 'user-agent': 'PocketPartners-Postback/1.0' },
      });
      expect(res.status).toBe(200);
      const answer = (await res.json()) as { status: string; id: string };
      expect(answer.status).toBe('accepted');

      const message = await postbackOf(answer.id);
      expect(message.key).toBe('Xk3p9QmZ2rTa');
      expect(message.headers).toMatchObject({ type: 'PostbackReceived', version: '1' });
      expect(message.event).toMatchObject({
        id: answer.id,
        type: 'PostbackReceived',
        version: 1,
        accountId: account.id,
        integrationId: integration.id,
        correlationId: 'Xk3p9QmZ2rTa',
      });
      expect(message.event.payload).toMatchObject({
        method: 'GET',
        url: `${path}${query}`,
        query: {
          'tracker.event': 'resale',
          click_id: 'Xk3p9QmZ2rTa',
          sumdep: '50.00',
          a: [' b', 'c d'],
        },
        body: null,
        event: 'resale',
        clickId: 'Xk3p9QmZ2rTa',
        userAgent: 'PocketPartners-Postback/1.0',
      });
      expect(typeof message.event.payload.remoteAddress).toBe('string');
    });

    it('keeps form body and query apart (query wins on conflicts) and resolves from both', async () => {
      const integration = await seedIntegration(account.id, { clickIdParam: 'sub1' });
      const res = await fetch(
        `${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=dep&sub1=`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'tracker.event=reg&sub1=FromBody123&clickid=Fallback999&x=1&x=2',
        },
      );
      expect(res.status).toBe(200);
      const { event } = await postbackOf(((await res.json()) as { id: string }).id);
      expect(event.payload.query).toEqual({ 'tracker.event': 'dep', sub1: '' });
      expect(event.payload.body).toEqual({
        'tracker.event': 'reg',
        sub1: 'FromBody123',
        clickid: 'Fallback999',
        x: ['1', '2'],
      });
      expect(event.payload.event).toBe('dep');
      // The integration's own parameter is empty in the query, so the body's value counts.
      expect(event.payload.clickId).toBe('FromBody123');
    });

    it('takes a flat JSON body; an unsubstituted macro is kept as sent; no click id keys by integration', async () => {
      const integration = await seedIntegration(account.id);
      const post = (body: string) =>
        fetch(`${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then(async (r) => ({ status: r.status, id: ((await r.json()) as { id: string }).id }));

      const macro = await post('{"tracker.event":"registration","click_id":"{click_id}","n":5}');
      expect(macro.status).toBe(200);
      const withMacro = await postbackOf(macro.id);
      expect(withMacro.event.payload).toMatchObject({
        body: { 'tracker.event': 'registration', click_id: '{click_id}', n: 5 },
        event: 'registration',
        clickId: '{click_id}',
      });

      const none = await post('{"tracker.event":"registration"}');
      const withoutClick = await postbackOf(none.id);
      expect(withoutClick.event.payload.clickId).toBeNull();
      expect(withoutClick.key).toBe(integration.id);
    });

    it('answers 404 for malformed, unknown and disabled integrations', async () => {
      const integration = await seedIntegration(account.id, { enabled: false });
      for (const id of ['not-a-uuid', randomUUID(), integration.id]) {
        const res = await fetch(`${app.baseUrl}/api/postbacks/${id}/tracker-postback`);
        expect(res.status).toBe(404);
      }
    });

    it('accepts a postback sent right after the integration is published, and 404s within 1 s of disabling', async () => {
      const integration = await seedIntegration(account.id);
      const url = `${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=registration`;
      expect((await fetch(url)).status).toBe(200);

      await publishIntegration({ ...integration, enabled: false });
      await eventually(async () => expect((await fetch(url)).status).toBe(404), {
        timeoutMs: 1000,
      });
    });

    it('answers HEAD and OPTIONS probes 200 (404 when unknown or disabled) and records nothing; other methods 405', async () => {
      const integration = await seedIntegration(account.id);
      const disabled = await seedIntegration(account.id, { enabled: false });
      const url = (id: string) =>
        `${app.baseUrl}/api/postbacks/${id}/tracker-postback?tracker.event=registration&click_id=Xk3p9QmZ2rTa`;
      for (const method of ['HEAD', 'OPTIONS']) {
        const res = await fetch(url(integration.id), { method });
        expect({ method, status: res.status }).toEqual({ method, status: 200 });
        expect(res.headers.get('allow')).toBe('GET, POST, HEAD, OPTIONS');
        for (const id of [disabled.id, randomUUID(), 'not-a-uuid']) {
          expect({ method, id, status: (await fetch(url(id), { method })).status }).toEqual({
            method,
            id,
            status: 404,
          });
        }
      }
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const res = await fetch(url(integration.id), { method });
        expect({ method, status: res.status }).toEqual({ method, status: 405 });
        expect(await res.json()).toMatchObject({ statusCode: 405 });
      }
      // A real postback after the probes: once it is read back, nothing else was published.
      const marker = (await (await fetch(url(integration.id))).json()) as { id: string };
      await postbackOf(marker.id);
      const published = postbacks.messages.filter((m) => m.event?.integrationId === integration.id);
      expect(published.map((m) => m.event?.id)).toEqual([marker.id]);
    });

    it('accepts an unparseable body and records its content type, error and raw text', async () => {
      const integration = await seedIntegration(account.id);
      const raw = '{"click_id": abc, "sumdep": 30.00,}';
      const res = await fetch(
        `${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=resale`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw },
      );
      expect(res.status).toBe(200);
      const { event } = await postbackOf(((await res.json()) as { id: string }).id);
      expect(event.payload).toMatchObject({
        contentType: 'application/json',
        body: null,
        rawBody: raw,
        bodyError: expect.stringContaining('not valid JSON'),
        event: 'resale',
        clickId: null,
      });
    });

    it('records trimmed roles: a click id with spaces or a newline is the click id', async () => {
      const integration = await seedIntegration(account.id);
      for (const sent of ['%20Xk3p9QmZ2rTa%20', 'Xk3p9QmZ2rTa%0A']) {
        const res = await fetch(
          `${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=%20registration&click_id=${sent}`,
        );
        const message = await postbackOf(((await res.json()) as { id: string }).id);
        expect(message.key).toBe('Xk3p9QmZ2rTa');
        expect(message.event.payload).toMatchObject({
          event: 'registration',
          clickId: 'Xk3p9QmZ2rTa',
        });
      }
    });

    it('answers 429 over the per-integration rate limit', async () => {
      const integration = await seedIntegration(account.id, { rateLimitPerSecond: 3 });
      const url = `${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=registration`;
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await fetch(url));
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses).toContain(429);
      // The partner retries on its own: the answer says when (whole seconds, at 3/s: 1).
      const refused = answers.find((answer) => answer.status === 429)!;
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ statusCode: 429 });
    });
  });

  describe('hostile input', () => {
    let integrationId: string;
    let base: string;

    beforeAll(async () => {
      integrationId = (await seedIntegration(account.id)).id;
      base = `${app.baseUrl}/api/postbacks/${integrationId}/tracker-postback`;
    });

    const manyParams = Array.from({ length: 300 }, (_, i) => `p${i}=${i}`).join('&');
    const cases: Array<{
      name: string;
      request: () => Promise<Response>;
      status: number;
      payload?: Record<string, unknown>;
    }> = [
      {
        name: 'broken percent-encoding in the query',
        request: () => fetch(`${base}?tracker.event=%ZZ&click_id=%E2%82&x=%`),
        status: 200,
        // A malformed escape is literal text; a cut UTF-8 sequence is U+FFFD (SPEC section 5);
        // the URL keeps the bytes as received.
        payload: {
          event: '%ZZ',
          clickId: '\ufffd',
          query: { 'tracker.event': '%ZZ', click_id: '\ufffd', x: '%' },
          url: expect.stringContaining('?tracker.event=%ZZ&click_id=%E2%82&x=%'),
        },
      },
      {
        name: 'invalid UTF-8 in the query',
        request: () => fetch(`${base}?tracker.event=%FF%FE&click_id=abc&f%FF=x%C3%28`),
        status: 200,
        payload: {
          event: '\ufffd\ufffd',
          query: { 'tracker.event': '\ufffd\ufffd', click_id: 'abc', 'f\ufffd': 'x\ufffd(' },
          url: expect.stringContaining('?tracker.event=%FF%FE&click_id=abc&f%FF=x%C3%28'),
        },
      },
      {
        name: 'invalid UTF-8 in a form body',
        request: () => post('application/x-www-form-urlencoded', 'click_id=%FFabc&a+b=%25FF%FF'),
        status: 200,
        payload: { clickId: '\ufffdabc', body: { click_id: '\ufffdabc', 'a b': '%FF\ufffd' } },
      },
      { name: '300 parameters', request: () => fetch(`${base}?${manyParams}`), status: 200 },
      {
        name: '8 KiB values',
        request: () => fetch(`${base}?click_id=${'a'.repeat(8192)}`),
        status: 200,
      },
      {
        name: 'repeated names',
        request: () => fetch(`${base}?tracker.event=a&tracker.event=b&click_id=1&click_id=2`),
        status: 200,
        payload: { event: 'a', clickId: '1' },
      },
      {
        name: '__proto__ and constructor parameters',
        request: () => fetch(`${base}?__proto__=x&constructor=y&tracker.event=reg`),
        status: 200,
      },
      {
        name: 'invalid JSON body',
        request: () => post('application/json', '{"tracker.event": "reg",'),
        status: 200,
        payload: { body: null, rawBody: '{"tracker.event": "reg",' },
      },
      {
        name: 'JSON array body',
        request: () => post('application/json', '[1,2,3]'),
        status: 200,
        payload: { body: null, bodyError: 'JSON body must be a flat object' },
      },
      {
        name: 'nested JSON object body',
        request: () => post('application/json', '{"a":{"b":1},"click_id":"n1"}'),
        status: 200,
        payload: { clickId: 'n1' },
      },
      {
        name: 'invalid UTF-8 in a JSON body',
        request: () => post('application/json', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])),
        status: 200,
      },
      {
        name: 'invalid UTF-8 in a form body',
        request: () => post('application/x-www-form-urlencoded', Buffer.from([0x61, 0x3d, 0xff])),
        status: 200,
      },
      {
        name: 'text/plain body',
        request: () => post('text/plain', 'tracker.event=reg'),
        status: 200,
        payload: { body: null, rawBody: 'tracker.event=reg' },
      },
      {
        name: 'unknown content type',
        request: () => post('application/xml', '<a>1</a>'),
        status: 200,
        payload: { body: null, rawBody: '<a>1</a>' },
      },
      {
        name: 'garbage content type',
        request: () => post('}{ not a type', 'x'),
        status: 200,
        payload: {
          body: null,
          bodyError: "unsupported content type '}{ not a type'",
          rawBody: 'x',
        },
      },
      {
        name: 'multipart body',
        request: () => post('multipart/form-data; boundary=x', '--x\r\n\r\n--x--'),
        status: 200,
      },
      { name: 'empty JSON body', request: () => post('application/json', ''), status: 200 },
      {
        name: 'body over 16 KiB',
        request: () => post('application/x-www-form-urlencoded', `a=${'x'.repeat(17 * 1024)}`),
        status: 413,
      },
      {
        name: '8 KiB values in a form body',
        request: () =>
          post(
            'application/x-www-form-urlencoded',
            `click_id=${'a'.repeat(8192)}&v=${'b'.repeat(8000)}`,
          ),
        status: 200,
      },
      {
        // Decoded as data (SPEC section 9): `%ZZ` is the literal text, a malformed
        // integration id, so 404 as for any other (SPEC section 4), never the router's 400.
        name: 'broken percent-encoding in the path',
        request: () => fetch(`${app.baseUrl}/api/postbacks/%ZZ/tracker-postback`),
        status: 404,
      },
      {
        name: 'invalid UTF-8 in the path',
        request: () => fetch(`${app.baseUrl}/api/postbacks/%FF%C0%AF/tracker-postback`),
        status: 404,
      },
      {
        name: 'JSON with a charset and odd parameters',
        request: () => post('application/json; charset=latin1; x', '{"click_id":"cs1"}'),
        status: 200,
        payload: { clickId: 'cs1' },
      },
      {
        name: 'odd headers',
        request: () =>
          fetch(`${base}?tracker.event=reg`, {
            headers: { 'user-agent': 'x'.repeat(8000), 'x-forwarded-for': 'not-an-ip, ::::' },
          }),
        status: 200,
      },
    ];

    function post(contentType: string, body: string | Buffer): Promise<Response> {
      return fetch(base, { method: 'POST', headers: { 'content-type': contentType }, body });
    }

    it.each(cases)(
      '$name → $status, and the app stays up',
      async ({ request, status, payload }) => {
        const res = await request();
        expect(res.status).toBe(status);
        if (status === 200 && payload) {
          const { id } = (await res.json()) as { id: string };
          const { event } = await postbackOf(id);
          expect(event.payload).toMatchObject(payload);
        }
        expect((await fetch(`${app.baseUrl}/health/live`)).status).toBe(200);
      },
    );

    it('keeps JSON parsing of the rest of the API strict', async () => {
      const res = await fetch(`${app.baseUrl}/api/clicks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: '{"campaign": ',
      });
      expect(res.status).toBe(400);
      const xml = await fetch(`${app.baseUrl}/api/clicks`, {
        method: 'POST',
        headers: { 'content-type': 'application/xml', authorization: `Bearer ${apiKey}` },
        body: '<a/>',
      });
      expect(xml.status).toBe(415);
    });
  });

  describe('clicks', () => {
    const finalUrl = 'https://partner.example/register?code=JOIN&click_id={{tracker.clickid}}';

    it('redirects through a registration link and registers the click', async () => {
      const linkId = randomUUID();
      const integration = await seedIntegration(account.id, {
        registrationLinks: [
          { id: linkId, name: 'Main', baseUrl: 'https://partner.example/register', finalUrl },
        ],
      });
      const res = await fetch(
        `${app.baseUrl}/r/${linkId}?campaign=winter&source=tg&subscriber=781&lang=en&tag=a&tag=b`,
        { redirect: 'manual', headers: { 'user-agent': 'Mobile' } },
      );
      expect(res.status).toBe(302);
      const location = res.headers.get('location')!;
      const match =
        /^https:\/\/partner\.example\/register\?code=JOIN&click_id=([0-9A-Za-z]{10,16})$/.exec(
          location,
        );
      expect(match).not.toBeNull();
      const clickId = match![1];

      const { event, key } = await clickOf(clickId);
      expect(key).toBe(clickId);
      expect(event).toMatchObject({ accountId: account.id, integrationId: integration.id });
      expect(event.payload).toMatchObject({
        clickId,
        linkId,
        integrationId: integration.id,
        campaign: 'winter',
        source: 'tg',
        subscriberId: '781',
        params: { lang: 'en', tag: ['a', 'b'] },
        userAgent: 'Mobile',
      });
    });

    it('answers 404 for an unknown link', async () => {
      const res = await fetch(`${app.baseUrl}/r/${randomUUID()}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
    });

    it('registers clicks over the API, only for links and integrations of the caller', async () => {
      const linkId = randomUUID();
      const integration = await seedIntegration(account.id, {
        registrationLinks: [
          { id: linkId, name: 'Main', baseUrl: 'https://partner.example/register', finalUrl },
        ],
      });
      const call = (body: unknown, key = apiKey) =>
        apiClient(app.baseUrl)('POST', '/api/clicks', { body, key });

      const withLink = await call({
        linkId,
        campaign: 'c1',
        subscriberId: 's1',
        params: { a: 'b' },
      });
      expect(withLink.status).toBe(201);
      const created = withLink.body as { clickId: string; url: string };
      expect(created.url).toBe(finalUrl.replace('{{tracker.clickid}}', created.clickId));
      const { event } = await clickOf(created.clickId);
      expect(event.payload).toMatchObject({
        linkId,
        integrationId: integration.id,
        campaign: 'c1',
        subscriberId: 's1',
        params: { a: 'b' },
      });

      const byIntegration = await call({ integrationId: integration.id });
      expect(byIntegration.status).toBe(201);
      expect(byIntegration.body).toEqual({
        clickId: expect.stringMatching(/^[0-9A-Za-z]{16}$/),
      });

      const other = await seedAccount('Other team');
      expect((await call({ linkId }, other.apiKey)).status).toBe(404);
      expect((await call({ integrationId: integration.id }, other.apiKey)).status).toBe(404);
      expect((await call({ linkId }, 'trk_wrong')).status).toBe(401);
      expect((await call({ params: { a: { b: 1 } } })).status).toBe(400);
    });
  });
});
