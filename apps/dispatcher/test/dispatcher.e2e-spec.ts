/**
 * The dispatcher alone against the real broker and PostgreSQL, fed destination snapshots and
 * conversions on their topics as the registry and attribution publish them, sending to a local
 * HTTP receiver on 127.0.0.1 (DESTINATIONS_ALLOW_PRIVATE=true, except in the SSRF case).
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { getDataSourceToken } from '@nestjs/typeorm';
import { deliveryIdOf, Topics } from '@tracker/contracts';
import { nonPublicRange } from '@tracker/destinations';
import {
  apiClient,
  closeSeedProducer,
  eventually,
  HttpReceiver,
  seedAccount,
  SeededAccount,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { createKafkaClient, TopicReader } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { DispatcherModule } from '../src/dispatcher.module';
import { DISPATCHER_DB, Tables } from '../src/shared/schema';
import {
  conversionEvent,
  deleteDestination,
  publishConversion,
  publishDestination,
} from './dispatcher-test-kit';

interface Delivery {
  id: string;
  destinationId: string;
  conversionId: string;
  clickId: string;
  stage: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  nextAttemptAt: string | null;
  request: { method: string | null; url: string | null };
  history?: Array<{
    attempt: number;
    outcome: string;
    responseStatus: number | null;
    error: string | null;
  }>;
}

describe('dispatcher: outgoing postbacks (real Kafka + PostgreSQL + local receiver)', () => {
  let app: TestApp;
  let strict: TestApp;
  let receiver: HttpReceiver;
  let deliveriesTopic: TopicReader;
  let a: SeededAccount;
  let b: SeededAccount;
  const integrationId = randomUUID();

  const api = <T>(target: TestApp, method: string, path: string, key: string) =>
    apiClient(target.baseUrl)<T>(method, path, { key });
  const deliveriesOf = async (account: SeededAccount, query: string, target = app) =>
    (
      await api<{ items: Delivery[]; nextCursor: string | null }>(
        target,
        'GET',
        `/api/deliveries?${query}`,
        account.apiKey,
      )
    ).body;
  const waitForDelivery = (
    account: SeededAccount,
    destinationId: string,
    status: string,
    target = app,
    timeoutMs = 20_000,
  ) =>
    eventually(
      async () => {
        const page = await deliveriesOf(account, `destinationId=${destinationId}`, target);
        expect(page.items.map((d) => d.status)).toEqual([status]);
        return (
          await api<Delivery>(target, 'GET', `/api/deliveries/${page.items[0].id}`, account.apiKey)
        ).body;
      },
      { timeoutMs },
    );

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    [app, strict] = await Promise.all([
      startTestApp({
        name: 'dispatcher',
        features: [DispatcherModule],
        config: { destinationsAllowPrivate: true },
      }),
      startTestApp({
        name: 'dispatcher-strict',
        features: [DispatcherModule],
        config: { destinationsAllowPrivate: false },
      }),
    ]);
    [a, b] = await Promise.all([seedAccount('Team A'), seedAccount('Team B')]);
    const brokers = process.env.KAFKA_BROKERS!.split(',');
    deliveriesTopic = await new TopicReader(
      createKafkaClient({ brokers, clientId: 'dispatcher-e2e' }),
      Topics.Deliveries,
    ).start();
  });

  afterAll(async () => {
    await deliveriesTopic?.stop();
    await Promise.all([app?.close(), strict?.close()]);
    await receiver?.stop();
    await closeSeedProducer();
  });

  it('renders every macro: percent-encoded in the URL, JSON-escaped in the body, raw in headers', async () => {
    const destination = await publishDestination(a.account.id, {
      method: 'POST',
      url:
        `${receiver.baseUrl}/macros?c={clickid}&id={conversion_id}&e={event}&s={stage}&o={ordinal}` +
        '&a={amount}&cur={currency}&t={tid}&cmp={campaign}&src={source}&sub={subscriber_id}' +
        '&f={fields.trader_id}&fb={click.fbclid}&at={occurred_at}&u={unix}&x={fields.missing}',
      headers: {
        'Content-Type': 'application/json',
        'X-Source': '{source}',
        'X-Note': '{fields.note}',
      },
      body: '{"campaign":"{campaign}","note":"{fields.note}","tid":"{tid}","unix":{unix}}',
    });
    const conversion = await publishConversion(a.account.id, integrationId, {
      campaign: 'winter promo&"q"',
      source: 'tg/ads',
      subscriberId: '42',
      tid: null,
      fields: { trader_id: 'T 1', note: 'line1\r\nline2' },
      clickParams: { fbclid: 'IwAR+x/y' },
    });
    const delivery = await waitForDelivery(a, destination.id, 'delivered');
    const [request] = receiver.to('/macros');
    const unix = Math.floor(Date.parse(conversion.occurredAt) / 1000);
    expect(request.url).toBe(
      `/macros?c=${conversion.payload.clickId}&id=${conversion.id}&e=resale&s=first_deposit&o=1` +
        '&a=50.00&cur=USD&t=&cmp=winter%20promo%26%22q%22&src=tg%2Fads&sub=42&f=T%201&fb=IwAR%2Bx%2Fy' +
        `&at=${encodeURIComponent(conversion.occurredAt)}&u=${unix}&x=`,
    );
    expect(JSON.parse(request.body)).toEqual({
      campaign: 'winter promo&"q"',
      note: 'line1\r\nline2',
      tid: '',
      unix,
    });
    expect(request.headers['x-source']).toBe('tg/ads');
    expect(request.headers['x-note']).toBe('line1line2');
    expect(request.headers['idempotency-key']).toBe(delivery.id);
    expect(delivery).toMatchObject({
      conversionId: conversion.id,
      clickId: conversion.payload.clickId,
      stage: 'first_deposit',
      attempts: 1,
      responseStatus: 200,
      responseBody: 'ok',
      request: { method: 'POST', url: expect.stringContaining('/macros?c=') },
    });
    // DeliveryScheduled is on the topic before the attempt, then DeliveryAttempted (both
    // dispatchers of this suite publish them: they share the broker).
    await eventually(() => {
      const types = deliveriesTopic.messages
        .filter((m) => (m.event?.payload as { deliveryId?: string }).deliveryId === delivery.id)
        .map((m) => m.event!.type);
      expect(types[0]).toBe('DeliveryScheduled');
      expect(types).toContain('DeliveryAttempted');
    });
  });

  it('sends header values beyond ASCII as their UTF-8 bytes (literal or from a macro)', async () => {
    const destination = await publishDestination(a.account.id, {
      url: `${receiver.baseUrl}/utf8-headers`,
      headers: { 'X-Campaign': '{campaign}', 'X-Note': 'café 😀' },
    });
    await publishConversion(a.account.id, integrationId, { campaign: 'Привет, мир' });
    const delivery = await waitForDelivery(a, destination.id, 'delivered');
    expect(delivery.attempts).toBe(1);
    const [request] = receiver.to('/utf8-headers');
    // Node reads header bytes as Latin-1: the UTF-8 sent comes back by re-reading them.
    const utf8 = (value: string | string[] | undefined) =>
      Buffer.from(String(value), 'latin1').toString('utf8');
    expect(utf8(request.headers['x-campaign'])).toBe('Привет, мир');
    expect(utf8(request.headers['x-note'])).toBe('café 😀');
  });

  it('delivers conversions whose values hold NUL, lone surrogates or __proto__ (never a dead letter)', async () => {
    const destination = await publishDestination(a.account.id, {
      method: 'POST',
      url: `${receiver.baseUrl}/odd?v={fields.bad}&p={click.__proto__}`,
      headers: { 'Content-Type': 'application/json', 'X-Odd': '{fields.bad}' },
      body: '{"v":"{fields.bad}","c":"{click.constructor}"}',
    });
    const odd = 'a\ud800b\u0000c';
    await publishConversion(a.account.id, integrationId, {
      fields: JSON.parse(`{"bad":${JSON.stringify(odd)},"__proto__":"x"}`),
      clickParams: JSON.parse('{"__proto__":"proto-value","constructor":"c"}'),
    });
    // Stored as U+FFFD (SPEC section 9), they reach the header as its UTF-8 bytes: delivered,
    // never lost, retried forever or dead-lettered.
    await waitForDelivery(a, destination.id, 'delivered');
    const [oddRequest] = receiver.to('/odd?');
    expect(Buffer.from(String(oddRequest.headers['x-odd']), 'latin1').toString('utf8')).toBe(
      'a\ufffdb\ufffdc',
    );

    const plain = await publishDestination(a.account.id, {
      method: 'POST',
      url: `${receiver.baseUrl}/odd-plain?v={fields.bad}&p={click.__proto__}`,
      headers: { 'Content-Type': 'application/json' },
      body: '{"v":"{fields.bad}","c":"{click.constructor}"}',
    });
    await publishConversion(a.account.id, integrationId, {
      fields: JSON.parse(`{"bad":${JSON.stringify(odd)}}`),
      clickParams: JSON.parse('{"__proto__":"proto-value","constructor":"c"}'),
    });
    await waitForDelivery(a, plain.id, 'delivered');
    const [request] = receiver.to('/odd-plain');
    // The request is stored when first rendered (and reused by retries): like every read model,
    // it keeps NUL and lone surrogates as U+FFFD (SPEC section 9).
    expect(request.url).toBe('/odd-plain?v=a%EF%BF%BDb%EF%BF%BDc&p=proto-value');
    expect(JSON.parse(request.body)).toEqual({ v: 'a\ufffdb\ufffdc', c: 'c' });
  });

  it('filters by stage, integration, enabled and the time the destination became active', async () => {
    const [registrations, otherIntegration, disabled, ownIntegration, later] = await Promise.all([
      publishDestination(a.account.id, {
        stages: ['registration'],
        url: `${receiver.baseUrl}/f-reg`,
      }),
      publishDestination(a.account.id, {
        integrationId: randomUUID(),
        url: `${receiver.baseUrl}/f-other`,
      }),
      publishDestination(a.account.id, { enabled: false, url: `${receiver.baseUrl}/f-off` }),
      publishDestination(a.account.id, { integrationId, url: `${receiver.baseUrl}/f-own` }),
      publishDestination(a.account.id, {
        url: `${receiver.baseUrl}/f-later`,
        activeSince: new Date(Date.now() + 60_000).toISOString(),
      }),
    ]);
    const conversion = await publishConversion(a.account.id, integrationId);
    await waitForDelivery(a, ownIntegration.id, 'delivered');
    for (const destination of [registrations, otherIntegration, disabled, later]) {
      expect((await deliveriesOf(a, `destinationId=${destination.id}`)).items).toEqual([]);
    }
    const page = await deliveriesOf(a, `clickId=${conversion.payload.clickId}`);
    const reached = page.items.map((d) => d.destinationId);
    expect(reached).toContain(ownIntegration.id);
    for (const destination of [registrations, otherIntegration, disabled, later]) {
      expect(reached).not.toContain(destination.id);
    }
  });

  it('makes exactly one delivery of a conversion redelivered by the broker (replays send nothing)', async () => {
    const destination = await publishDestination(a.account.id, { url: `${receiver.baseUrl}/dup` });
    const conversion = await publishConversion(a.account.id, integrationId);
    await waitForDelivery(a, destination.id, 'delivered');
    await publishConversion(a.account.id, integrationId, {}, conversion);
    await publishConversion(a.account.id, integrationId, {}, conversion);
    // A later conversion for the same destination proves the duplicates were consumed.
    const marker = await publishConversion(a.account.id, integrationId);
    await eventually(async () => {
      const page = await deliveriesOf(a, `destinationId=${destination.id}`);
      expect(page.items.map((d) => [d.conversionId, d.status]).sort()).toEqual(
        [
          [conversion.id, 'delivered'],
          [marker.id, 'delivered'],
        ].sort(),
      );
    });
    expect(receiver.to('/dup')).toHaveLength(2);
  });

  it('sends a delivery the log rebuild knew only from its DeliveryScheduled, once, when its conversion arrives', async () => {
    // The scheduler publishes DeliveryScheduled before it writes the delivery; a replay of the
    // log running in between rebuilds the row from the topic alone, without the conversion,
    // and not sendable (no claim may send it before the scheduler has written it).
    const destination = await publishDestination(a.account.id, {
      url: `${receiver.baseUrl}/rebuilt?cid={conversion_id}`,
    });
    const conversion = conversionEvent(a.account.id, integrationId);
    const deliveryId = deliveryIdOf(conversion.id, destination.id);
    const dataSource = app.app.get<DataSource>(getDataSourceToken(DISPATCHER_DB));
    await dataSource.query(
      `INSERT INTO ${Tables.deliveries} (id, account_id, destination_id, conversion_id, click_id,
         stage, status, created_at, next_attempt_at, scheduled)
       VALUES ($1, $2, $3, $4, $5, 'first_deposit', 'pending', now(), now(), false)`,
      [deliveryId, a.account.id, destination.id, conversion.id, conversion.payload.clickId],
    );
    await publishConversion(a.account.id, integrationId, {}, conversion);
    const delivered = await waitForDelivery(a, destination.id, 'delivered');
    expect(delivered.id).toBe(deliveryId);
    expect(receiver.to('/rebuilt').map((request) => request.url)).toEqual([
      `/rebuilt?cid=${conversion.id}`,
    ]);
    // Redelivered now that the row holds its state: nothing more is published or sent.
    await publishConversion(a.account.id, integrationId, {}, conversion);
    const marker = await publishConversion(a.account.id, integrationId);
    await eventually(async () => {
      const page = await deliveriesOf(a, `destinationId=${destination.id}`);
      expect(page.items.map((d) => d.conversionId).sort()).toEqual(
        [conversion.id, marker.id].sort(),
      );
    });
    await eventually(() => expect(receiver.to('/rebuilt')).toHaveLength(2));
    expect(receiver.to('/rebuilt')[0].url).toBe(`/rebuilt?cid=${conversion.id}`);
    // (The strict dispatcher of this spec publishes its own events for the same delivery.)
    const types = deliveriesTopic.messages
      .filter((m) => (m.event?.payload as { deliveryId?: string }).deliveryId === deliveryId)
      .map((m) => m.event!.type);
    expect(types[0]).toBe('DeliveryScheduled');
  });

  it('retries a 503 with the same Idempotency-Key and delivers', async () => {
    receiver.script('/flaky', [
      { status: 503, body: 'busy' },
      { status: 200, body: 'fine' },
    ]);
    const destination = await publishDestination(a.account.id, {
      url: `${receiver.baseUrl}/flaky`,
    });
    await publishConversion(a.account.id, integrationId);
    const delivery = await waitForDelivery(a, destination.id, 'delivered', app, 30_000);
    const requests = receiver.to('/flaky');
    expect(requests).toHaveLength(2);
    expect(requests.map((r) => r.headers['idempotency-key'])).toEqual([delivery.id, delivery.id]);
    expect(requests[1].at - requests[0].at).toBeLessThanOrEqual(30_000);
    expect(delivery.history!.map((h) => [h.attempt, h.outcome, h.responseStatus])).toEqual([
      [1, 'retrying', 503],
      [2, 'delivered', 200],
    ]);
  });

  it('fails a 400 at once, and a manual retry sends it again with the same key', async () => {
    receiver.script('/bad', [{ status: 400, body: 'no such pixel' }, { status: 200 }]);
    const destination = await publishDestination(a.account.id, { url: `${receiver.baseUrl}/bad` });
    await publishConversion(a.account.id, integrationId);
    const failed = await waitForDelivery(a, destination.id, 'failed');
    expect(failed).toMatchObject({
      attempts: 1,
      responseStatus: 400,
      responseBody: 'no such pixel',
      error: 'HTTP 400',
    });
    expect(receiver.to('/bad')).toHaveLength(1);
    expect((await api(app, 'POST', `/api/deliveries/${failed.id}/retry`, b.apiKey)).status).toBe(
      404,
    );
    const retried = await api<Delivery>(
      app,
      'POST',
      `/api/deliveries/${failed.id}/retry`,
      a.apiKey,
    );
    expect(retried.status).toBe(200);
    const delivered = await waitForDelivery(a, destination.id, 'delivered');
    expect(delivered.attempts).toBe(2);
    expect(receiver.to('/bad').map((r) => r.headers['idempotency-key'])).toEqual([
      failed.id,
      failed.id,
    ]);
    expect((await api(app, 'POST', `/api/deliveries/${failed.id}/retry`, a.apiKey)).status).toBe(
      409,
    );
  });

  it('stops retrying when the destination is disabled or deleted, and retries by hand once it is enabled', async () => {
    receiver.script('/paused', [{ status: 503 }, { status: 200 }]);
    receiver.script('/gone', [{ status: 503 }]);
    const paused = await publishDestination(a.account.id, { url: `${receiver.baseUrl}/paused` });
    const gone = await publishDestination(a.account.id, { url: `${receiver.baseUrl}/gone` });
    await publishConversion(a.account.id, integrationId);
    await Promise.all([
      waitForDelivery(a, paused.id, 'retrying'),
      waitForDelivery(a, gone.id, 'retrying'),
    ]);
    await publishDestination(a.account.id, { ...paused, enabled: false });
    await deleteDestination(gone.id);

    const [disabled, deleted] = await Promise.all([
      waitForDelivery(a, paused.id, 'failed', app, 30_000),
      waitForDelivery(a, gone.id, 'failed', app, 30_000),
    ]);
    expect(disabled).toMatchObject({ attempts: 2, error: 'the destination is disabled' });
    expect(deleted).toMatchObject({ attempts: 2, error: 'the destination was deleted' });
    expect(receiver.to('/paused')).toHaveLength(1);
    expect(receiver.to('/gone')).toHaveLength(1);
    const retry = (id: string) =>
      api<{ message: string }>(app, 'POST', `/api/deliveries/${id}/retry`, a.apiKey);
    const refused = await retry(disabled.id);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/destination is disabled/);
    const gonePermanently = await retry(deleted.id);
    expect(gonePermanently.status).toBe(409);
    expect(gonePermanently.body.message).toBe(
      'the destination was deleted; this delivery can no longer be sent',
    );

    await publishDestination(a.account.id, { ...paused, enabled: true });
    expect((await retry(disabled.id)).status).toBe(200);
    const delivered = await waitForDelivery(a, paused.id, 'delivered');
    expect(delivered.attempts).toBe(3);
    expect(receiver.to('/paused').map((r) => r.headers['idempotency-key'])).toEqual([
      disabled.id,
      disabled.id,
    ]);
  });

  it('does not follow redirects: a 3xx fails', async () => {
    receiver.script('/moved', [
      { status: 302, headers: { location: `${receiver.baseUrl}/target` } },
    ]);
    const destination = await publishDestination(a.account.id, {
      url: `${receiver.baseUrl}/moved`,
    });
    await publishConversion(a.account.id, integrationId);
    const failed = await waitForDelivery(a, destination.id, 'failed');
    expect(failed.error).toContain('redirect');
    expect(receiver.to('/target')).toHaveLength(0);
  });

  it('times out after 10 s and schedules a retry', async () => {
    receiver.script('/slow', ['hang']);
    const destination = await publishDestination(a.account.id, { url: `${receiver.baseUrl}/slow` });
    await publishConversion(a.account.id, integrationId);
    const retrying = await waitForDelivery(a, destination.id, 'retrying', app, 30_000);
    expect(retrying.error).toBe('timeout after 10000 ms');
    expect(retrying.responseStatus).toBeNull();
    expect(Date.parse(retrying.nextAttemptAt!)).toBeGreaterThan(Date.now() - 30_000);
    // Delete it so the retries stop hanging on the receiver.
    await deleteDestination(destination.id);
  });

  it('refuses loopback and private addresses at send time unless allowed (DNS rebinding)', async () => {
    const name = hostname();
    // Precondition: this machine's name resolves to a loopback or private address.
    expect(nonPublicRange((await lookup(name)).address)).not.toBeNull();
    const byName = await publishDestination(b.account.id, {
      url: `http://${name}:${receiver.port}/ssrf-name`,
    });
    const byAddress = await publishDestination(b.account.id, {
      url: `${receiver.baseUrl}/ssrf-ip`,
    });
    const metadata = await publishDestination(b.account.id, {
      url: 'http://169.254.169.254/latest/meta-data',
    });
    await publishConversion(b.account.id, integrationId);
    for (const destination of [byName, byAddress, metadata]) {
      const failed = await waitForDelivery(b, destination.id, 'failed', strict);
      expect({ url: destination.url, error: failed.error }).toEqual({
        url: destination.url,
        error: expect.stringContaining('private address'),
      });
    }
    // The same destinations pass where private addresses are allowed (the receiver got those).
    await waitForDelivery(b, byAddress.id, 'delivered');
    expect(receiver.to('/ssrf-ip')).toHaveLength(1);
  });

  it('keeps accounts apart and validates filters', async () => {
    const destination = await publishDestination(a.account.id, { url: `${receiver.baseUrl}/iso` });
    await publishConversion(a.account.id, integrationId);
    const delivered = await waitForDelivery(a, destination.id, 'delivered');
    expect((await deliveriesOf(b, `destinationId=${destination.id}`)).items).toEqual([]);
    expect((await api(app, 'GET', `/api/deliveries/${delivered.id}`, b.apiKey)).status).toBe(404);
    const bad = await api<{ statusCode: number; message: string }>(
      app,
      'GET',
      '/api/deliveries?status=sent&limit=0',
      a.apiKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/status|limit/);
    // Each bad parameter is a 400 naming it in field (SPEC section 4; limit ≤ 500).
    for (const [query, field] of [
      ['status=sent', 'status'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['cursor=%FF%00', 'cursor'],
      ['destinationId=%FF', 'destinationId'],
    ]) {
      const refused = await api<{ statusCode: number; message: string; field: string }>(
        app,
        'GET',
        `/api/deliveries?${query}`,
        a.apiKey,
      );
      expect({ query, status: refused.status, field: refused.body.field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
    expect((await api(app, 'GET', '/api/deliveries?limit=500', a.apiKey)).status).toBe(200);
    // Keyset pages: one item per page, no repeats.
    const first = await deliveriesOf(a, 'limit=1');
    const second = await deliveriesOf(a, `limit=1&cursor=${first.nextCursor}`);
    expect(first.items).toHaveLength(1);
    expect(second.items[0].id).not.toBe(first.items[0].id);
  });
});
