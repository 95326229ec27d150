/**
 * Issue 12's table through the whole tracker, each postback judged twice: first by the dry run
 * (`POST /api/integrations/:id/postback-check`), then live through the postback URL, read back
 * from the postback log. The two verdicts must agree, and the dry runs must leave no trace.
 */
import { Topics } from '@tracker/contracts';
import { createKafkaClient, TopicReader } from '@tracker/kafka';
import { apiClient, eventually, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';
import { answerErrors } from './support/openapi-answers';

interface IntegrationBody {
  id: string;
  events: Array<{ name: string; postbackUrl: string; receivedCount: number }>;
}

interface Sent {
  name: string;
  /** Query string after `tracker-postback?`; `@C@` is the click id. */
  query: string;
  method?: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  expect: { status: string; errorCode: string | null; stage?: string | null };
}

describe('postback-check: the dry run equals the live verdict (issue 12)', () => {
  let tracker: TestApp;
  let apiKey: string;
  let otherKey: string;
  let postbacks: TopicReader;

  const api = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );

  beforeAll(async () => {
    tracker = await startTestApp({ name: 'postback-check', features: TRACKER_FEATURES });
    const account = (name: string) =>
      api<{ apiKey: string }>('POST', '/api/accounts', {
        body: { name },
        key: tracker.config.adminToken,
      });
    apiKey = (await account('Team A')).body.apiKey;
    otherKey = (await account('Team B')).body.apiKey;
    postbacks = await new TopicReader(
      createKafkaClient({ brokers: tracker.config.kafkaBrokers, clientId: 'check-test' }),
      Topics.Postbacks,
    ).start();
  });

  afterAll(async () => {
    await postbacks?.stop();
    await tracker?.close();
  });

  it('judges issue 12 table the same way dry and live, and the dry run records nothing', async () => {
    const created = await api('POST', '/api/integrations', {
      body: { template: 'pocket-option-revshare-v2' },
    });
    expect(created.status).toBe(201);
    const integration = created.body as IntegrationBody;
    const click = await api('POST', '/api/clicks', { body: { integrationId: integration.id } });
    expect(click.status).toBe(201);
    const clickId = click.body.clickId as string;
    await eventually(async () =>
      expect((await api('GET', `/api/clicks/${clickId}`)).status).toBe(200),
    );
    const path = `/api/postbacks/${integration.id}/tracker-postback`;

    const table: Sent[] = [
      {
        name: '<bannerid>',
        query: 'tracker.event=registration&click_id=%3Cbannerid%3E',
        expect: { status: 'rejected', errorCode: 'click_id_missing' },
      },
      {
        name: '%%CLICK_ID%%',
        query: 'tracker.event=registration&click_id=%25%25CLICK_ID%25%25',
        expect: { status: 'rejected', errorCode: 'click_id_missing' },
      },
      {
        name: '{click_id} encoded twice',
        query: 'tracker.event=registration&click_id=%257Bclick_id%257D',
        expect: { status: 'rejected', errorCode: 'click_id_missing' },
      },
      {
        name: 'click id with spaces',
        query: 'tracker.event=registration&click_id=%20@C@%20',
        expect: { status: 'attributed', errorCode: null, stage: 'registration' },
      },
      {
        name: 'deposit, status new',
        query: 'tracker.event=resale&click_id=@C@%0A&sumdep=30&status=new',
        expect: { status: 'attributed', errorCode: null, stage: 'first_deposit' },
      },
      {
        name: 'the same deposit, status approved',
        query: 'tracker.event=resale&click_id=@C@&sumdep=30&status=approved',
        expect: { status: 'duplicate', errorCode: 'duplicate' },
      },
      {
        name: 'a deposit with tid T-9',
        query: 'tracker.event=resale&click_id=@C@&sumdep=50&tracker.tid=T-9',
        expect: { status: 'attributed', errorCode: null, stage: 'redeposit' },
      },
      {
        name: 'its chargeback',
        query: 'tracker.event=resale&click_id=@C@&tracker.tid=T-9&status=chargeback',
        expect: { status: 'attributed', errorCode: null, stage: 'reversal' },
      },
      {
        name: 'the chargeback again',
        query: 'tracker.event=resale&click_id=@C@&tracker.tid=T-9&status=chargeback',
        expect: { status: 'duplicate', errorCode: 'duplicate' },
      },
      {
        name: 'a chargeback of an unknown tid',
        query: 'tracker.event=resale&click_id=@C@&tracker.tid=nope&status=refund',
        expect: { status: 'rejected', errorCode: 'reversal_not_found' },
      },
      {
        name: 'invalid JSON body',
        query: 'tracker.event=resale',
        method: 'POST',
        body: '{"click_id": abc, "sumdep": 30.00,}',
        contentType: 'application/json',
        expect: { status: 'rejected', errorCode: 'invalid_body' },
      },
      {
        name: 'a second ?',
        query: 'tracker.event=resale&currency=usd?click_id=@C@&sumdep=50',
        expect: { status: 'rejected', errorCode: 'click_id_missing' },
      },
      {
        name: 'not a tracker click id',
        query: 'tracker.event=resale&click_id=abc&sumdep=5',
        expect: { status: 'rejected', errorCode: 'click_not_found' },
      },
      {
        name: 'an unknown click',
        query: 'tracker.event=resale&click_id=NoSuchClick123&sumdep=5',
        expect: { status: 'unmatched', errorCode: 'click_not_found' },
      },
    ];

    for (const row of table) {
      const query = row.query.replaceAll('@C@', clickId);
      const dry = await api('POST', `/api/integrations/${integration.id}/postback-check`, {
        body: {
          url: `${tracker.config.publicBaseUrl}${path}?${query}`,
          method: row.method,
          body: row.body,
          contentType: row.contentType,
        },
      });
      expect({ row: row.name, status: dry.status }).toEqual({ row: row.name, status: 200 });
      const live = await fetch(`${tracker.baseUrl}${path}?${query}`, {
        method: row.method ?? 'GET',
        ...(row.body !== undefined && {
          body: row.body,
          headers: { 'content-type': row.contentType! },
        }),
      });
      const { id } = (await live.json()) as { id: string };
      const logged = await eventually(
        async () => {
          const item = await api('GET', `/api/postback-logs/${id}`);
          expect(item.body?.status ?? 'received').not.toBe('received');
          return item.body;
        },
        { timeoutMs: 20000 },
      );
      const verdict = (v: { status: string; errorCode: string | null }, stage: string | null) => ({
        row: row.name,
        status: v.status,
        errorCode: v.errorCode,
        stage,
      });
      const expected = verdict(row.expect, row.expect.stage ?? null);
      expect(verdict(dry.body, dry.body.stage)).toEqual(expected);
      expect(verdict(logged, logged.conversion?.stage ?? null)).toEqual(expected);
      expect({ row: row.name, error: dry.body.error, errorDetail: dry.body.errorDetail }).toEqual({
        row: row.name,
        error: logged.error,
        errorDetail: logged.errorDetail,
      });
      const used = Object.fromEntries(
        (dry.body.params as Array<{ name: string; usedAs: string | null }>).map((p) => [
          p.name,
          p.usedAs,
        ]),
      );
      expect({ row: row.name, used }).toEqual({ row: row.name, used: logged.paramsUsedAs });
    }

    // A dry run's answer in full, each parameter marked with its use.
    const check = await api('POST', `/api/integrations/${integration.id}/postback-check`, {
      body: {
        url: `${path}?tracker.event=resale&click_id=${clickId}&sumdep=12.5&trader_id=42&x=1`,
      },
    });
    expect(check.body).toEqual({
      status: 'attributed',
      errorCode: null,
      error: null,
      errorDetail: null,
      event: 'resale',
      clickId,
      amount: '12.5',
      currency: 'USD',
      tid: null,
      fields: { trader_id: '42' },
      stage: 'redeposit',
      ordinal: 3,
      params: [
        { name: 'tracker.event', value: 'resale', usedAs: 'event' },
        { name: 'click_id', value: clickId, usedAs: 'clickId' },
        { name: 'sumdep', value: '12.5', usedAs: 'amount' },
        { name: 'trader_id', value: '42', usedAs: 'field:trader_id' },
        { name: 'x', value: '1', usedAs: null },
      ],
    });

    // The dry runs left no trace: no event on the topic, no log item, no count.
    const marker = `dry-${Date.now()}`;
    for (let i = 0; i < 3; i++) {
      const dry = await api('POST', `/api/integrations/${integration.id}/postback-check`, {
        body: { url: `${path}?tracker.event=registration&click_id=${clickId}&marker=${marker}` },
      });
      expect(dry.status).toBe(200);
    }
    // HEAD and OPTIONS probes (partner cabinets check a URL) are not recorded either.
    for (const method of ['HEAD', 'OPTIONS']) {
      expect(
        (await fetch(`${tracker.baseUrl}${path}?tracker.event=registration`, { method })).status,
      ).toBe(200);
    }

    // A live postback after them: once it is logged, everything before it has been too.
    const after = await fetch(
      `${tracker.baseUrl}${path}?tracker.event=emailconf&click_id=${clickId}`,
    );
    const { id: lastId } = (await after.json()) as { id: string };
    await eventually(async () => {
      expect((await api('GET', `/api/postback-logs/${lastId}`)).body?.status).toBe('attributed');
      expect(postbacks.messages.some((m) => m.event?.id === lastId)).toBe(true);
    });
    expect((await api('GET', `/api/postback-logs?q=${marker}`)).body.items).toEqual([]);
    expect(
      postbacks.messages.filter((m) => JSON.stringify(m.event ?? null).includes(marker)),
    ).toEqual([]);
    // Four live registrations and one email confirmation were sent; dry runs and probes add none.
    await eventually(async () => {
      const counts = (await api('GET', `/api/integrations/${integration.id}`))
        .body as IntegrationBody;
      const count = (name: string) => counts.events.find((e) => e.name === name)!.receivedCount;
      expect({ registration: count('registration'), emailconf: count('emailconf') }).toEqual({
        registration: 4,
        emailconf: 1,
      });
    });
    expect(
      postbacks.messages.filter(
        (m) =>
          m.event?.type === 'PostbackReceived' &&
          m.event.integrationId === integration.id &&
          ['HEAD', 'OPTIONS'].includes(m.event.payload.method),
      ),
    ).toEqual([]);

    // The answers are true to the OpenAPI document (as a generated client would read it).
    const docs = (await (await fetch(`${tracker.baseUrl}/docs-json`)).json()) as Parameters<
      typeof answerErrors
    >[0];
    const checkPath = '/api/integrations/{id}/postback-check';
    expect(answerErrors(docs, checkPath, 'POST', 200, check.body)).toEqual([]);
    const logs = await api('GET', `/api/postback-logs?integrationId=${integration.id}&limit=500`);
    expect(logs.body.items.some((i: { errorCode: string | null }) => i.errorCode === null)).toBe(
      true,
    );
    expect(answerErrors(docs, '/api/postback-logs', 'GET', 200, logs.body)).toEqual([]);
    const conversions = await api('GET', `/api/conversions?clickId=${clickId}`);
    expect(conversions.body.items.some((i: { stage: string }) => i.stage === 'reversal')).toBe(
      true,
    );
    expect(answerErrors(docs, '/api/conversions', 'GET', 200, conversions.body)).toEqual([]);
    const journey = await api('GET', `/api/clicks/${clickId}`);
    expect(answerErrors(docs, '/api/clicks/{clickId}', 'GET', 200, journey.body)).toEqual([]);
    const funnel = await api('GET', `/api/funnel?integrationId=${integration.id}`);
    expect(funnel.body.rows[0]).toMatchObject({ reversals: 1, reversedAmount: { USD: '50' } });
    expect(answerErrors(docs, '/api/funnel', 'GET', 200, funnel.body)).toEqual([]);
    const settings = await api('GET', `/api/integrations/${integration.id}`);
    expect(answerErrors(docs, '/api/integrations/{id}', 'GET', 200, settings.body)).toEqual([]);

    // Another account's integration is not found; a url of another integration is refused.
    const foreign = await api('POST', `/api/integrations/${integration.id}/postback-check`, {
      body: { url: `${path}?tracker.event=registration` },
      key: otherKey,
    });
    expect(foreign.status).toBe(404);
    const elsewhere = await api('POST', `/api/integrations/${integration.id}/postback-check`, {
      body: {
        url: '/api/postbacks/00000000-0000-4000-8000-000000000000/tracker-postback?tracker.event=registration',
      },
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.message).toContain('another integration');
    const missing = await api('POST', `/api/integrations/${integration.id}/postback-check`, {
      body: {},
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('url');
  });
});
