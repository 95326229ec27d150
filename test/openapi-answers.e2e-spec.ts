/**
 * The OpenAPI document stays true to the answers (issue 12, SPEC section 4): every route that
 * `/docs-json` declares is called once with a real request on the whole tracker, and each 2xx
 * JSON answer is checked against the schema declared for it, as a client generated from the
 * document would read it. A declared route this walk does not call fails the test, so a new
 * route cannot slip past it.
 */
import { eventually, HttpReceiver, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';
import { answerErrors } from './support/openapi-answers';

type Document = Parameters<typeof answerErrors>[0];

describe('every route answers as /docs-json declares', () => {
  let tracker: TestApp;
  let receiver: HttpReceiver;
  let docs: Document;
  const called = new Set<string>();
  const problems: string[] = [];

  /** Calls a route, records it as covered and checks a 2xx JSON answer against the document. */
  const call = async (
    method: string,
    route: string,
    path: string,
    options: { body?: unknown; key?: string; expect: number },
  ) => {
    const response = await fetch(`${tracker.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    expect({ method, path, status: response.status, text: text.slice(0, 300) }).toMatchObject({
      status: options.expect,
    });
    called.add(`${method.toLowerCase()} ${route}`);
    const json = (response.headers.get('content-type') ?? '').includes('application/json');
    if (response.status < 300 && json && text) {
      for (const error of answerErrors(docs, route, method, response.status, JSON.parse(text))) {
        problems.push(`${method} ${route}: ${error}`);
      }
    }
    return text ? (json ? JSON.parse(text) : text) : null;
  };

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    tracker = await startTestApp({
      name: 'openapi-answers',
      features: TRACKER_FEATURES,
      config: { destinationsAllowPrivate: true },
    });
    docs = (await (await fetch(`${tracker.baseUrl}/docs-json`)).json()) as Document;
  });

  afterAll(async () => {
    await tracker?.close();
    await receiver?.stop();
  });

  it('calls each declared route and finds every answer true to its schema', async () => {
    const admin = tracker.config.adminToken;
    const account = await call('POST', '/api/accounts', '/api/accounts', {
      body: { name: 'Docs' },
      key: admin,
      expect: 201,
    });
    const key = account.apiKey as string;
    await call('GET', '/api/account', '/api/account', { key, expect: 200 });
    await call('GET', '/api/integration-templates', '/api/integration-templates', {
      key,
      expect: 200,
    });
    const integration = await call('POST', '/api/integrations', '/api/integrations', {
      body: { template: 'pocket-option-revshare' },
      key,
      expect: 201,
    });
    const id = integration.id as string;
    await call('GET', '/api/integrations', '/api/integrations', { key, expect: 200 });
    await call('GET', '/api/integrations/{id}', `/api/integrations/${id}`, { key, expect: 200 });
    await call('PATCH', '/api/integrations/{id}', `/api/integrations/${id}`, {
      body: { name: 'Docs PO', statusParam: 'status' },
      key,
      expect: 200,
    });
    const events = '/api/integrations/{id}/events';
    await call('GET', events, `/api/integrations/${id}/events`, { key, expect: 200 });
    await call('POST', events, `/api/integrations/${id}/events`, {
      body: { name: 'extra', kind: 'custom' },
      key,
      expect: 201,
    });
    await call('DELETE', `${events}/{name}`, `/api/integrations/${id}/events/extra`, {
      key,
      expect: 204,
    });
    const links = '/api/integrations/{id}/registration-links';
    const link = await call('POST', links, `/api/integrations/${id}/registration-links`, {
      body: { name: 'Seed', baseUrl: 'https://pocketcustomer.com/register?code=JOINHERE123' },
      key,
      expect: 201,
    });
    await call('GET', links, `/api/integrations/${id}/registration-links`, { key, expect: 200 });
    // The ingress learns of the new integration from its snapshot.
    await eventually(async () =>
      expect((await fetch(`${tracker.baseUrl}/r/${link.id}`, { redirect: 'manual' })).status).toBe(
        302,
      ),
    );
    await call('GET', '/r/{linkId}', `/r/${link.id}?campaign=docs`, { expect: 302 });

    const destinationsPath = '/api/destinations';
    const destination = await call('POST', destinationsPath, destinationsPath, {
      body: {
        name: 'Receiver',
        stages: ['registration'],
        method: 'GET',
        url: `${receiver.baseUrl}/pb?c={clickid}&s={stage}`,
      },
      key,
      expect: 201,
    });
    const click = await call('POST', '/api/clicks', '/api/clicks', {
      body: { integrationId: id, campaign: 'docs' },
      key,
      expect: 201,
    });
    const clickId = click.clickId as string;
    const postback = '/api/postbacks/{integrationId}/tracker-postback';
    const postbackPath = `/api/postbacks/${id}/tracker-postback`;
    const accepted = await call(
      'GET',
      postback,
      `${postbackPath}?tracker.event=registration&click_id=${clickId}`,
      {
        expect: 200,
      },
    );
    await call('POST', postback, `${postbackPath}?tracker.event=conf`, {
      body: { click_id: clickId },
      expect: 200,
    });
    await call('OPTIONS', postback, `${postbackPath}?tracker.event=resale`, { expect: 200 });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      await call(method, postback, `${postbackPath}?tracker.event=resale`, { expect: 405 });
    }
    await eventually(async () => {
      const item = await call(
        'GET',
        '/api/postback-logs/{id}',
        `/api/postback-logs/${accepted.id}`,
        {
          key,
          expect: 200,
        },
      );
      expect(item.status).toBe('attributed');
    });
    await call('GET', '/api/postback-logs', `/api/postback-logs?integrationId=${id}`, {
      key,
      expect: 200,
    });
    await call('GET', '/api/clicks/{clickId}', `/api/clicks/${clickId}`, { key, expect: 200 });
    await call('GET', '/api/conversions', `/api/conversions?clickId=${clickId}`, {
      key,
      expect: 200,
    });
    await call('GET', '/api/funnel', `/api/funnel?integrationId=${id}&groupBy=day`, {
      key,
      expect: 200,
    });
    await call(
      'POST',
      '/api/integrations/{id}/postback-check',
      `/api/integrations/${id}/postback-check`,
      {
        body: { url: `${postbackPath}?tracker.event=registration&click_id={click_id}` },
        key,
        expect: 200,
      },
    );

    const keys = '/api/api-keys';
    const created = await call('POST', keys, keys, { body: { name: 'ci' }, key, expect: 201 });
    await call('GET', keys, keys, { key, expect: 200 });
    await call('DELETE', `${keys}/{id}`, `${keys}/${created.id}`, { key, expect: 204 });

    await call('GET', '/api/destination-templates', '/api/destination-templates', {
      key,
      expect: 200,
    });
    await call('GET', destinationsPath, destinationsPath, { key, expect: 200 });
    const one = `${destinationsPath}/{id}`;
    await call('GET', one, `${destinationsPath}/${destination.id}`, { key, expect: 200 });
    await call('PATCH', one, `${destinationsPath}/${destination.id}`, {
      body: { name: 'Receiver 2' },
      key,
      expect: 200,
    });
    await call('POST', `${one}/test`, `${destinationsPath}/${destination.id}/test`, {
      key,
      expect: 200,
    });
    const delivery = await eventually(async () => {
      const page = await call('GET', '/api/deliveries', '/api/deliveries', { key, expect: 200 });
      expect(page.items.map((d: { status: string }) => d.status)).toEqual(['delivered']);
      return page.items[0] as { id: string };
    });
    await call('GET', '/api/deliveries/{id}', `/api/deliveries/${delivery.id}`, {
      key,
      expect: 200,
    });
    // Only a failed delivery is sent again.
    await call('POST', '/api/deliveries/{id}/retry', `/api/deliveries/${delivery.id}/retry`, {
      key,
      expect: 409,
    });

    await call('DELETE', one, `${destinationsPath}/${destination.id}`, { key, expect: 204 });
    await call(
      'DELETE',
      `${links}/{linkId}`,
      `/api/integrations/${id}/registration-links/${link.id}`,
      {
        key,
        expect: 204,
      },
    );
    await call('DELETE', '/api/integrations/{id}', `/api/integrations/${id}`, { key, expect: 204 });
    await call('DELETE', '/api/accounts/{id}', `/api/accounts/${account.id}`, {
      key: admin,
      expect: 204,
    });

    expect(problems).toEqual([]);
    const declared = Object.entries(docs.paths).flatMap(([route, methods]) =>
      Object.keys(methods)
        .filter((method) => method !== 'head')
        .map((method) => `${method} ${route}`),
    );
    expect(declared.filter((route) => !called.has(route))).toEqual([]);
  });
});
