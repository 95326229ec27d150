/**
 * Observability of the all-in-one tracker: request ids on every answer, and the Prometheus
 * figures operators alert on (request latency, consumer lag per group/partition, dead letters,
 * projection batch sizes, spool depth), driven by a real postback and a real poison message.
 */
import { randomBytes } from 'node:crypto';
import { dlqTopic, Topics } from '@tracker/contracts';
import { EventProducer } from '@tracker/kafka';
import { apiClient, closeSeedProducer, eventually, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';
import { Kafka, startGroupsAtEnd, testKafka } from '@tracker/testing';
import { parseMetrics, samplesOf } from './support/prometheus';
import { TopicTail } from '@tracker/testing';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('observability of the tracker', () => {
  const run = randomBytes(4).toString('hex');
  const groupPrefix = `test.observability.${run}`;
  let kafka: Kafka;
  let producer: EventProducer;
  let tracker: TestApp;
  let apiKey: string;
  const tails: TopicTail[] = [];

  const api = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );

  const metrics = async () => {
    const response = await fetch(`${tracker.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    return parseMetrics(await response.text());
  };

  beforeAll(async () => {
    kafka = testKafka('observability-test');
    producer = new EventProducer(kafka);
    await producer.connect();
    // Only this test's traffic is projected, not every earlier run's.
    await startGroupsAtEnd(kafka, groupPrefix, {
      'registry.postback-stats': [Topics.Postbacks],
      'postback-log.projection': [Topics.Postbacks, Topics.PostbackOutcomes],
      attribution: [Topics.Clicks, Topics.Postbacks],
    });
    tracker = await startTestApp({
      name: 'observability',
      features: TRACKER_FEATURES,
      groupPrefix,
    });
    const account = await api<{ apiKey: string }>('POST', '/api/accounts', {
      body: { name: 'Obs team' },
      key: tracker.config.adminToken,
    });
    expect(account.status).toBe(201);
    apiKey = account.body.apiKey;
  });

  afterAll(async () => {
    await tracker?.close();
    for (const tail of tails) await tail.stop();
    await producer?.disconnect();
    await closeSeedProducer();
  });

  it('echoes a given x-request-id and generates one otherwise', async () => {
    const given = `obs-${run}`;
    const echoed = await fetch(`${tracker.baseUrl}/health/live`, {
      headers: { 'x-request-id': given },
    });
    expect(echoed.headers.get('x-request-id')).toBe(given);
    const generated = await fetch(`${tracker.baseUrl}/health/live`);
    expect(generated.headers.get('x-request-id')).toMatch(UUID);
    const failed = await fetch(`${tracker.baseUrl}/api/postback-logs`);
    expect(failed.status).toBe(401);
    expect(failed.headers.get('x-request-id')).toMatch(UUID);
  });

  it('counts postbacks refused before they are recorded per integration (SPEC section 9)', async () => {
    const created = await api<{ id: string; events: Array<{ name: string; postbackUrl: string }> }>(
      'POST',
      '/api/integrations',
      { body: { template: 'pocket-option-revshare' } },
    );
    expect(created.status).toBe(201);
    const integrationId = created.body.id;
    const limited = await api('PATCH', `/api/integrations/${integrationId}`, {
      body: { rateLimitPerSecond: 1 },
    });
    expect(limited.status).toBe(200);
    const url = new URL(created.body.events[0].postbackUrl);
    const send = (n: number) =>
      fetch(`${tracker.baseUrl}${url.pathname}${url.search}&click_id=Refused${run}${n}`);
    // The limit reaches the ingress through the integrations topic: wait until it refuses.
    const statuses = await eventually(async () => {
      const answers = await Promise.all([1, 2, 3, 4].map((n) => send(n)));
      const codes = answers.map((answer) => answer.status);
      expect(codes).toContain(429);
      return codes;
    });
    const tooLarge = await fetch(`${tracker.baseUrl}${url.pathname}${url.search}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `x=${'a'.repeat(20 * 1024)}`,
    });
    expect(tooLarge.status).toBe(413);
    const unknown = await fetch(
      `${tracker.baseUrl}/api/postbacks/00000000-0000-4000-8000-00000000beef/tracker-postback`,
      { method: 'POST', body: `x=${'a'.repeat(20 * 1024)}` },
    );
    expect(unknown.status).toBe(413);
    // Headers beyond Node's 16 KiB: its parser answers 431 before any route sees the request.
    const headersTooLarge = await fetch(`${tracker.baseUrl}${url.pathname}${url.search}`, {
      headers: { 'x-padding': 'p'.repeat(20 * 1024) },
    });
    expect(headersTooLarge.status).toBe(431);

    const all = await metrics();
    const count = (labels: Record<string, string>) =>
      samplesOf(all, 'tracker_postbacks_refused_total', labels).reduce(
        (sum, s) => sum + s.value,
        0,
      );
    expect(count({ integration: integrationId, status: '429' })).toBeGreaterThanOrEqual(
      statuses.filter((code) => code === 429).length,
    );
    expect(count({ integration: integrationId, status: '413' })).toBe(1);
    expect(count({ integration: 'unknown', status: '413' })).toBeGreaterThanOrEqual(1);
    expect(count({ integration: integrationId, status: '431' })).toBe(1);
  });

  it('exposes latency, consumer lag, dead letters, batch sizes and spool depth', async () => {
    const created = await api<{ events: Array<{ name: string; postbackUrl: string }> }>(
      'POST',
      '/api/integrations',
      { body: { template: 'pocket-option-revshare' } },
    );
    expect(created.status).toBe(201);
    const registration = created.body.events.find((e) => e.name === 'registration')!;
    const url = new URL(registration.postbackUrl);
    const postback = await fetch(
      `${tracker.baseUrl}${url.pathname}${url.search}&click_id=Obs${run}`,
    );
    expect(postback.status).toBe(200);
    const { id: postbackId } = (await postback.json()) as { id: string };

    // Not JSON at all: every consumer of the topic must park it on the DLQ and carry on.
    const dlq = await new TopicTail(kafka, dlqTopic(Topics.Postbacks)).start();
    tails.push(dlq);
    const poisonKey = `obs-poison-${run}`;
    await producer.send(Topics.Postbacks, [{ key: poisonKey, value: `not json ${run} {` }]);

    const logged = await eventually(
      async () => {
        const item = await api<{ status: string; errorCode: string | null }>(
          'GET',
          `/api/postback-logs/${postbackId}`,
        );
        expect(item.status).toBe(200);
        expect(item.body.status).toBe('unmatched');
        return item.body;
      },
      { timeoutMs: 30000 },
    );
    expect(logged.errorCode).toBe('click_not_found');

    const samples = await eventually(
      async () => {
        const all = await metrics();
        expect(
          samplesOf(all, 'tracker_kafka_dead_letters_total', {
            topic: Topics.Postbacks,
            step: 'postback-log.projection',
          })[0]?.value,
        ).toBeGreaterThanOrEqual(1);
        return all;
      },
      { timeoutMs: 30000 },
    );

    const latency = samplesOf(samples, 'tracker_http_request_duration_seconds_count', {
      method: 'GET',
      route: '/api/postbacks/:integrationId/tracker-postback',
      status: '200',
    });
    expect(latency[0]?.value).toBeGreaterThanOrEqual(1);

    const lag = samplesOf(samples, 'tracker_consumer_lag', {
      group: `${groupPrefix}.postback-log.projection`,
      topic: Topics.Postbacks,
    });
    expect(lag.length).toBeGreaterThanOrEqual(1);
    for (const sample of lag) {
      expect(sample.labels.partition).toMatch(/^\d+$/);
      expect(sample.value).toBeGreaterThanOrEqual(0);
    }
    expect(
      samplesOf(samples, 'tracker_consumer_lag', { group: `${groupPrefix}.attribution` }).length,
    ).toBeGreaterThanOrEqual(1);

    for (const consumer of ['postback-log.projection', 'attribution.projection']) {
      expect(
        samplesOf(samples, 'tracker_consumer_batch_messages_count', { consumer })[0]?.value,
      ).toBeGreaterThanOrEqual(1);
    }
    expect(samplesOf(samples, 'tracker_ingress_spool_bytes')).toHaveLength(1);

    const letters = await eventually(
      () => {
        const mine = dlq.records.filter((r) => r.key === poisonKey);
        expect(mine.map((r) => r.headers['dlq.step'])).toEqual(
          expect.arrayContaining(['attribution.projection', 'postback-log.projection']),
        );
        return mine;
      },
      { timeoutMs: 30000 },
    );
    for (const letter of letters) {
      expect(letter.value?.toString('utf8')).toBe(`not json ${run} {`);
      expect(letter.headers['dlq.topic']).toBe(Topics.Postbacks);
      expect(letter.headers['dlq.reason']).toMatch(/not JSON/);
    }
  });
});
