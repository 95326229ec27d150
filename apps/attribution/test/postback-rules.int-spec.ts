/**
 * SPEC section 5, rule by rule, through the real broker and database: clicks and postbacks are
 * published as the ingress would, outcomes and conversions read back from their topics.
 */
import {
  conversionRecordedId,
  IntegrationChangedPayload,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import {
  closeSeedProducer,
  eventually,
  seedAccount,
  SeededAccount,
  seedIntegration,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AttributionModule } from '../src/attribution.module';
import { AttributionWriter } from '../src/projection/attribution.writer';
import { ATTRIBUTION_DB } from '../src/shared/schema';
import {
  api,
  clickRegistered,
  consumed,
  freshGroupPrefix,
  newClickId,
  OutputReader,
  postbackReceived,
  PostbackOptions,
  publish,
} from './attribution-fixtures';

interface Expected {
  status: 'attributed' | 'duplicate' | 'unmatched' | 'rejected';
  errorCode?: string;
  error?: RegExp;
  stage?: string;
  ordinal?: number | null;
  amount?: string | null;
  currency?: string | null;
  /** For a reversal: the step whose conversion it reverses. */
  reversesStep?: number;
}

interface Step {
  query: Record<string, string>;
  body?: Record<string, unknown>;
  /** Minutes after the case's start. */
  at?: number;
  bodyError?: string;
  rawBody?: string;
  expect: Expected;
}

interface Case {
  name: string;
  /** Register the click before its postbacks (default true). */
  click?: boolean;
  integration?: 'v2' | 'other-account' | 'deleted';
  steps: Step[];
  fields?: Record<string, string>;
}

const reg = (extra: Record<string, string> = {}) => ({ 'tracker.event': 'registration', ...extra });
const ev = (event: string, extra: Record<string, string> = {}) => ({
  'tracker.event': event,
  ...extra,
});
const ok = (stage: string, ordinal: number | null = null, more: Partial<Expected> = {}) =>
  ({ status: 'attributed', stage, ordinal, ...more }) as Expected;
const duplicate = (error: RegExp): Expected => ({
  status: 'duplicate',
  errorCode: 'duplicate',
  error,
});
const rejected = (errorCode: string, error: RegExp): Expected => ({
  status: 'rejected',
  errorCode,
  error,
});

// `click_id` is filled in per case with the case's own click id unless a step sets it.
const CASES: Case[] = [
  {
    name: 'tracker.event missing → rejected/event_missing',
    steps: [
      { query: {}, expect: rejected('event_missing', /expected parameter 'tracker\.event'/) },
    ],
  },
  {
    name: 'event not configured → rejected/unknown_event listing the configured ones',
    steps: [
      {
        query: ev('deposit'),
        expect: rejected(
          'unknown_event',
          /'deposit'.*'registration', 'emailconf', 'sale', 'resale', 'withdraw', 'Revshare', 'lead'/,
        ),
      },
    ],
  },
  {
    name: 'click id absent → rejected/click_id_missing naming the expected parameter',
    steps: [
      {
        query: { ...reg(), click_id: '' },
        expect: rejected('click_id_missing', /parameter 'click_id' is empty/),
      },
      {
        query: { ...reg(), sub1: 'x', click_id: undefined as unknown as string },
        expect: rejected(
          'click_id_missing',
          /expected parameter 'click_id' \(or 'clickid', 'tracker\.clickid'\)/,
        ),
      },
    ],
  },
  {
    name: 'unsubstituted macro → rejected/click_id_missing saying which',
    steps: [
      {
        query: { ...reg(), click_id: '{click_id}' },
        expect: rejected(
          'click_id_missing',
          /parameter 'click_id' holds the unsubstituted macro '\{click_id\}'/,
        ),
      },
      {
        query: { ...reg(), click_id: '{{tracker.clickid}}' },
        expect: rejected('click_id_missing', /unsubstituted macro '\{\{tracker\.clickid\}\}'/),
      },
    ],
  },
  {
    name: 'amount not a decimal, or negative outside withdrawals → rejected/invalid_amount',
    steps: [
      {
        query: ev('resale', { sumdep: 'abc' }),
        expect: rejected('invalid_amount', /parameter 'sumdep' holds 'abc'/),
      },
      {
        query: ev('resale', { sumdep: '12,50' }),
        expect: rejected('invalid_amount', /with a dot/),
      },
      {
        query: ev('resale', { sumdep: '-5' }),
        expect: rejected('invalid_amount', /only withdrawals may be negative/),
      },
    ],
  },
  {
    name: 'currency not three letters → rejected/invalid_currency',
    steps: [
      {
        query: ev('resale', { sumdep: '5', currency: 'US' }),
        expect: rejected('invalid_currency', /parameter 'currency' holds 'US'/),
      },
    ],
  },
  {
    name: 'unknown click → unmatched/click_not_found',
    click: false,
    steps: [
      {
        query: reg(),
        expect: { status: 'unmatched', errorCode: 'click_not_found', error: /not found/ },
      },
    ],
  },
  {
    name: 'a click id that is not a tracker click id → rejected/click_not_found saying so',
    steps: [
      {
        query: { ...reg(), click_id: 'abc' },
        expect: rejected('click_not_found', /'abc'.*not a tracker click id/),
      },
    ],
  },
  // Issue 12's table, row by row.
  {
    name: 'issue 12: click_id=<bannerid> → rejected/click_id_missing naming the macro',
    steps: [
      {
        query: { ...reg(), click_id: '<bannerid>' },
        expect: rejected('click_id_missing', /'<bannerid>'/),
      },
    ],
  },
  {
    name: 'issue 12: click_id=%%CLICK_ID%% → rejected/click_id_missing',
    steps: [
      {
        query: { ...reg(), click_id: '%%CLICK_ID%%' },
        expect: rejected('click_id_missing', /'%%CLICK_ID%%'/),
      },
    ],
  },
  {
    name: 'issue 12: click_id encoded twice ({click_id}) → rejected/click_id_missing',
    steps: [
      {
        query: { ...reg(), click_id: '%7Bclick_id%7D' },
        expect: rejected('click_id_missing', /'\{click_id\}'/),
      },
    ],
  },
  {
    name: 'issue 12: a click id with spaces around it is trimmed and attributed',
    steps: [{ query: { ...reg(), click_id: ' @CLICK@ ' }, expect: ok('registration') }],
  },
  {
    name: 'issue 12: a click id with a newline after it is trimmed and attributed',
    steps: [{ query: { ...reg(), click_id: '@CLICK@\n' }, expect: ok('registration') }],
  },
  {
    name: 'issue 12: deposits that differ only in status=new / status=approved → the second is a duplicate',
    steps: [
      {
        query: ev('resale', { sumdep: '30', status: 'new' }),
        at: 0,
        expect: ok('first_deposit', 1),
      },
      {
        query: ev('resale', { sumdep: '30', status: 'approved' }),
        at: 1,
        expect: duplicate(/identical/),
      },
    ],
  },
  {
    name: 'issue 12: a chargeback with the tid of a deposit is a reversal',
    steps: [
      {
        query: ev('resale', { sumdep: '50', 'tracker.tid': 'T-9' }),
        expect: ok('first_deposit', 1),
      },
      {
        query: ev('resale', { 'tracker.tid': 'T-9', status: 'chargeback' }),
        expect: ok('reversal', null, { amount: '-50', currency: 'USD', reversesStep: 0 }),
      },
    ],
  },
  {
    name: 'issue 12: an invalid JSON body with an incomplete query → rejected/invalid_body',
    steps: [
      {
        query: ev('resale', { click_id: undefined as unknown as string }),
        bodyError: "body is not valid JSON: Unexpected token 'a'",
        rawBody: '{"click_id": abc, "sumdep": 30.00,}',
        expect: rejected('invalid_body', /could not be parsed.*not valid JSON/),
      },
    ],
  },
  {
    name: 'issue 12: a second ? names the parameter that holds it',
    steps: [
      {
        query: ev('resale', {
          click_id: undefined as unknown as string,
          currency: 'usd?click_id=@CLICK@',
          sumdep: '50',
        }),
        expect: rejected(
          'click_id_missing',
          /parameter 'currency' holds 'usd\?click_id=\w+'.*second '\?'/,
        ),
      },
    ],
  },
  // Reversals (SPEC section 5 "Status updates").
  {
    name: 'reversal by tid of an RD, from another event; a repeated chargeback is a duplicate',
    steps: [
      { query: ev('resale', { sumdep: '10', 'tracker.tid': 'A' }), expect: ok('first_deposit', 1) },
      { query: ev('resale', { sumdep: '20.50', 'tracker.tid': 'B' }), expect: ok('redeposit', 2) },
      {
        query: ev('withdraw', { 'tracker.tid': 'B', status: 'refund', sumdep: '-3' }),
        expect: ok('reversal', null, { amount: '-20.50', currency: 'USD', reversesStep: 1 }),
      },
      {
        query: ev('resale', { 'tracker.tid': 'B', status: 'Chargeback' }),
        expect: duplicate(/already reversed/),
      },
      { query: ev('resale', { sumdep: '5', 'tracker.tid': 'C' }), expect: ok('redeposit', 3) },
    ],
  },
  {
    name: 'a reversal with an unknown tid or without tid → rejected/reversal_not_found',
    steps: [
      { query: ev('resale', { sumdep: '10', 'tracker.tid': 'A' }), expect: ok('first_deposit', 1) },
      {
        query: ev('resale', { 'tracker.tid': 'nope', status: 'chargeback' }),
        expect: rejected('reversal_not_found', /'nope'/),
      },
      {
        query: ev('resale', { status: 'chargeback' }),
        expect: rejected('reversal_not_found', /no transaction id/),
      },
    ],
  },
  {
    name: 'status resends with a tid are duplicates',
    steps: [
      {
        query: ev('sale', { sumdep: '10', 'tracker.tid': 'S', status: 'pending' }),
        expect: ok('first_deposit', 1),
      },
      {
        query: ev('sale', { sumdep: '10', 'tracker.tid': 'S', status: 'approved' }),
        expect: duplicate(/'S'/),
      },
    ],
  },
  {
    name: "another account's click → unmatched/click_not_found (tenants never match)",
    integration: 'other-account',
    steps: [{ query: reg(), expect: { status: 'unmatched', errorCode: 'click_not_found' } }],
  },
  {
    name: 'integration deleted before processing → rejected/unknown_event saying so',
    integration: 'deleted',
    steps: [
      { query: reg(), expect: rejected('unknown_event', /no longer exists \(it was deleted\)/) },
    ],
  },
  {
    name: 'registration counts once per click',
    steps: [
      { query: reg(), expect: ok('registration') },
      { query: reg({ again: '1' }), expect: duplicate(/already has its registration/) },
    ],
  },
  {
    name: 'email confirmation counts once per click',
    steps: [
      { query: ev('emailconf'), expect: ok('email_confirmation') },
      { query: ev('emailconf', { again: '1' }), expect: duplicate(/email confirmation/) },
    ],
  },
  {
    name: 'deposits: FD then RDs with ordinals, amounts as sent, default currency',
    steps: [
      {
        query: ev('resale', { sumdep: '10.00' }),
        expect: ok('first_deposit', 1, { amount: '10.00', currency: 'USD' }),
      },
      { query: ev('resale', { sumdep: '20.50' }), expect: ok('redeposit', 2, { amount: '20.50' }) },
      { query: ev('resale', { sumdep: '30' }), expect: ok('redeposit', 3, { amount: '30' }) },
    ],
  },
  {
    name: 'a first_deposit after an FD is an RD only with a new tid',
    steps: [
      { query: ev('sale', { sumdep: '50' }), expect: ok('first_deposit', 1) },
      { query: ev('sale', { sumdep: '60' }), expect: duplicate(/only with a new transaction id/) },
      { query: ev('sale', { sumdep: '60', 'tracker.tid': 'T2' }), expect: ok('redeposit', 2) },
      {
        query: ev('sale', { sumdep: '70', 'tracker.tid': 'T2' }),
        expect: duplicate(/'T2' \(tracker\.tid\) was already recorded/),
      },
    ],
  },
  {
    name: '(integration, click, event, tid) is unique',
    steps: [
      { query: ev('resale', { sumdep: '5', 'tracker.tid': 'A' }), expect: ok('first_deposit', 1) },
      {
        query: ev('resale', { sumdep: '6', 'tracker.tid': 'A' }),
        expect: duplicate(/transaction id/),
      },
      { query: ev('withdraw', { sumdep: '-3', 'tracker.tid': 'A' }), expect: ok('withdrawal') },
    ],
  },
  {
    name: 'an identical postback without tid is a duplicate within 24 h only',
    steps: [
      { query: ev('resale', { sumdep: '5' }), at: 0, expect: ok('first_deposit', 1) },
      { query: ev('resale', { sumdep: '5' }), at: 60, expect: duplicate(/identical 'resale'/) },
      { query: ev('resale', { sumdep: '5' }), at: 25 * 60, expect: ok('redeposit', 2) },
    ],
  },
  {
    name: 'withdrawals may be negative; commission and custom events are recorded',
    steps: [
      {
        query: ev('withdraw', { sumdep: '-12.50' }),
        expect: ok('withdrawal', null, { amount: '-12.50', currency: 'USD' }),
      },
      {
        query: ev('Revshare', { sumdep: '3.20' }),
        expect: ok('commission', null, { amount: '3.20' }),
      },
      { query: ev('lead'), expect: ok('custom', null, { amount: null, currency: null }) },
    ],
  },
  {
    name: 'amount: tracker.cost before amountParam; currency: tracker.currency, currency, default',
    steps: [
      {
        query: ev('resale', { 'tracker.cost': '7.5', sumdep: '50', currency: 'eur' }),
        expect: ok('first_deposit', 1, { amount: '7.5', currency: 'EUR' }),
      },
      {
        query: ev('resale', { sumdep: '8', 'tracker.currency': 'gbp', currency: 'eur' }),
        expect: ok('redeposit', 2, { amount: '8', currency: 'GBP' }),
      },
    ],
  },
  {
    name: 'POST body parameters count, the query wins on a conflict',
    steps: [
      {
        query: ev('resale', { sumdep: '10' }),
        body: { sumdep: '20', trader_id: 'T-body' },
        expect: ok('first_deposit', 1, { amount: '10' }),
      },
    ],
    fields: { trader_id: 'T-body' },
  },
  {
    name: 'fields.<key> and fieldParams set custom fields; the later postback wins',
    steps: [
      { query: reg({ trader_id: '111', 'fields.lang': 'en' }), expect: ok('registration') },
      { query: ev('resale', { sumdep: '1', trader_id: '222' }), expect: ok('first_deposit', 1) },
    ],
    fields: { trader_id: '222', lang: 'en' },
  },
];

describe('attribution: postback rules (SPEC section 5)', () => {
  let app: TestApp;
  let reader: OutputReader;
  let teamA: SeededAccount;
  let teamB: SeededAccount;
  let v2: IntegrationChangedPayload;
  let otherAccounts: IntegrationChangedPayload;
  const start = Date.now() - 3 * 24 * 3600_000;
  const sent = new Map<Case, { clickId: string; postbacks: PostbackReceivedEvent[] }>();

  beforeAll(async () => {
    // Sequential: the shared seed producer connects on first use.
    teamA = await seedAccount('Team A');
    teamB = await seedAccount('Team B');
    v2 = await seedIntegration(teamA.account.id, {}, 'pocket-option-revshare-v2');
    v2 = await seedIntegration(teamA.account.id, {
      ...v2,
      id: v2.id,
      events: [...v2.events, { name: 'lead', label: 'Lead', kind: 'custom', params: {} }],
    });
    otherAccounts = await seedIntegration(teamB.account.id, {}, 'pocket-option-revshare-v2');
    reader = await new OutputReader().start();
    app = await startTestApp({
      name: 'attribution-rules',
      features: [AttributionModule],
      groupPrefix: await freshGroupPrefix('attribution-rules'),
    });

    const clicks = CASES.map((c) => ({ c, clickId: newClickId() }));
    await publish(
      clicks
        .filter(({ c }) => c.click !== false)
        .map(({ clickId }) => clickRegistered(teamA.account.id, { clickId, campaign: 'rules' })),
    );
    await eventually(async () => {
      for (const { c, clickId } of clicks.filter(({ c }) => c.click !== false)) {
        expect([
          c.name,
          (await api(app.baseUrl, `/api/clicks/${clickId}`, teamA.apiKey)).status,
        ]).toEqual([c.name, 200]);
      }
    });
    const deleted = { id: randomUUID(), accountId: teamA.account.id, clickIdParam: 'click_id' };
    for (const { c, clickId } of clicks) {
      const integration =
        c.integration === 'other-account'
          ? otherAccounts
          : c.integration === 'deleted'
            ? deleted
            : v2;
      const postbacks = c.steps.map((step, index) => {
        const query: Record<string, string> = { click_id: clickId, ...step.query };
        for (const [name, value] of Object.entries(query)) {
          if (value === undefined) delete query[name];
          else query[name] = value.replace('@CLICK@', clickId);
        }
        const options: PostbackOptions = {
          body: step.body,
          bodyError: step.bodyError,
          rawBody: step.rawBody,
          receivedAt: new Date(start + (step.at ?? index) * 60_000),
        };
        return postbackReceived(integration, query, options);
      });
      sent.set(c, { clickId, postbacks });
      await publish(postbacks);
    }
    // Outcomes and conversions are read from two topics by two tails: wait for both.
    await eventually(
      () => {
        for (const { postbacks } of sent.values()) {
          for (const postback of postbacks) {
            const outcome = reader.latestOutcome(postback.id);
            expect(outcome).toBeDefined();
            if (outcome!.payload.conversionId !== null)
              expect(reader.conversionsOf(postback.id).length).toBeGreaterThan(0);
          }
        }
      },
      { timeoutMs: 30000 },
    );
  });

  afterAll(async () => {
    await app?.close();
    await reader?.stop();
    await closeSeedProducer();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { clickId, postbacks } = sent.get(c)!;
    c.steps.forEach((step, index) => {
      const postback = postbacks[index];
      const outcome = reader.latestOutcome(postback.id)!;
      const { expect: want } = step;
      expect({
        step: index,
        status: outcome.payload.status,
        errorCode: outcome.payload.errorCode,
      }).toEqual({
        step: index,
        status: want.status,
        errorCode: want.errorCode ?? null,
      });
      if (want.error) expect(outcome.payload.error).toMatch(want.error);
      expect(outcome.integrationId).toBe(postback.integrationId);
      const conversions = reader.conversionsOf(postback.id);
      if (want.status !== 'attributed') {
        expect(conversions).toHaveLength(0);
        return;
      }
      expect(outcome.payload.conversionId).toBe(conversionRecordedId(postback.id));
      expect(conversions).toHaveLength(1);
      const [conversion] = conversions;
      expect(conversion.id).toBe(conversionRecordedId(postback.id));
      expect(conversion.payload).toMatchObject({
        clickId,
        stage: want.stage,
        ordinal: want.ordinal ?? null,
        campaign: 'rules',
        ...(want.amount !== undefined && { amount: want.amount }),
        ...(want.currency !== undefined && { currency: want.currency }),
        ...(want.reversesStep !== undefined && {
          reverses: conversionRecordedId(postbacks[want.reversesStep].id),
        }),
      });
      expect(outcome.payload.conversion).toMatchObject({
        stage: want.stage,
        ordinal: want.ordinal ?? null,
      });
    });
    if (c.fields) {
      const journey = await api<{ fields: Record<string, string> }>(
        app.baseUrl,
        `/api/clicks/${clickId}`,
        teamA.apiKey,
      );
      expect(journey.body.fields).toEqual(c.fields);
      const last = reader.conversionsOf(postbacks.at(-1)!.id)[0];
      expect(last.payload.fields).toEqual(c.fields);
    }
  });

  it('explains verdicts: errorDetail and paramsUsedAs on every outcome, clickedAt once attributed', () => {
    const row = CASES.find((c) => c.name.startsWith('issue 12: a second ?'))!;
    const [withSecondQ] = sent.get(row)!.postbacks;
    expect(reader.latestOutcome(withSecondQ.id)!.payload).toMatchObject({
      errorDetail: { param: 'currency', cause: 'second_question_mark' },
      paramsUsedAs: { 'tracker.event': 'event', currency: 'currency', sumdep: 'amount' },
      clickedAt: null,
    });
    const chargeback = CASES.find((c) => c.name.startsWith('issue 12: a chargeback'))!;
    const [deposit, reversal] = sent.get(chargeback)!.postbacks;
    expect(reader.latestOutcome(deposit.id)!.payload).toMatchObject({
      errorDetail: null,
      paramsUsedAs: { click_id: 'clickId', sumdep: 'amount', 'tracker.tid': 'tid' },
      clickedAt: expect.any(String),
    });
    expect(reader.latestOutcome(reversal.id)!.payload).toMatchObject({
      paramsUsedAs: { status: 'status', 'tracker.tid': 'tid' },
    });
  });

  it('shows a reversal in the click journey; totals and stage stay as recorded', async () => {
    const chargeback = CASES.find((c) => c.name.startsWith('issue 12: a chargeback'))!;
    const { clickId, postbacks } = sent.get(chargeback)!;
    const journey = await api<{
      stage: string;
      events: Array<Record<string, unknown>>;
      totals: unknown;
    }>(app.baseUrl, `/api/clicks/${clickId}`, teamA.apiKey);
    expect(journey.body.stage).toBe('first_deposit');
    expect(journey.body.events).toEqual([
      expect.objectContaining({
        postbackId: postbacks[0].id,
        stage: 'first_deposit',
        reverses: null,
      }),
      expect.objectContaining({
        postbackId: postbacks[1].id,
        stage: 'reversal',
        amount: '-50',
        reverses: conversionRecordedId(postbacks[0].id),
      }),
    ]);
    expect(journey.body.totals).toEqual({
      deposits: 1,
      depositAmount: { USD: '50' },
      reversals: 1,
      reversedAmount: { USD: '50' },
      netDepositAmount: { USD: '0' },
    });
  });

  it('GET /api/conversions pages newest first, filters, and links a reversal both ways', async () => {
    const chargeback = CASES.find((c) => c.name.startsWith('issue 12: a chargeback'))!;
    const { clickId, postbacks } = sent.get(chargeback)!;
    const [deposit, reversal] = postbacks.map((p) => conversionRecordedId(p.id));
    type Page = { items: Array<Record<string, unknown>>; nextCursor: string | null };
    const first = await api<Page>(
      app.baseUrl,
      `/api/conversions?clickId=${clickId}&limit=1`,
      teamA.apiKey,
    );
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      {
        id: reversal,
        postbackId: postbacks[1].id,
        clickId,
        integrationId: v2.id,
        event: 'resale',
        stage: 'reversal',
        ordinal: null,
        amount: '-50',
        currency: 'USD',
        tid: 'T-9',
        campaign: 'rules',
        source: null,
        reverses: deposit,
        reversedBy: null,
        occurredAt: postbacks[1].payload.receivedAt,
      },
    ]);
    const second = await api<Page>(
      app.baseUrl,
      `/api/conversions?clickId=${clickId}&limit=1&cursor=${first.body.nextCursor}`,
      teamA.apiKey,
    );
    expect(second.body.items).toMatchObject([
      { id: deposit, stage: 'first_deposit', amount: '50', reverses: null, reversedBy: reversal },
    ]);
    expect(second.body.nextCursor).toBeNull();
    const reversals = await api<Page>(
      app.baseUrl,
      `/api/conversions?stage=reversal&campaign=rules&integrationId=${v2.id}&limit=500`,
      teamA.apiKey,
    );
    expect(reversals.body.items.length).toBeGreaterThanOrEqual(2);
    expect(reversals.body.items.every((i) => i.stage === 'reversal')).toBe(true);
    const theirs = await api<Page>(
      app.baseUrl,
      `/api/conversions?clickId=${clickId}`,
      teamB.apiKey,
    );
    expect(theirs.body).toEqual({ items: [], nextCursor: null });
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['stage=fd', 'stage'],
      ['cursor=nope', 'cursor'],
      ['integrationId=x', 'integrationId'],
      ['from=yesterday', 'from'],
    ]) {
      const bad = await api<{ message: string }>(
        app.baseUrl,
        `/api/conversions?${query}`,
        teamA.apiKey,
      );
      expect({ query, status: bad.status }).toEqual({ query, status: 400 });
      expect(bad.body.message).toContain(field);
    }
  });

  it('GET /api/clicks/:clickId shows the journey, totals and furthest stage; 404 for others', async () => {
    const deposits = CASES.find((c) => c.name.startsWith('deposits: FD'))!;
    const { clickId, postbacks } = sent.get(deposits)!;
    const journey = await api<Record<string, unknown>>(
      app.baseUrl,
      `/api/clicks/${clickId}`,
      teamA.apiKey,
    );
    expect(journey.status).toBe(200);
    expect(journey.body).toEqual({
      clickId,
      integrationId: null,
      linkId: null,
      campaign: 'rules',
      source: null,
      subscriberId: null,
      params: {},
      createdAt: expect.any(String),
      stage: 'redeposit',
      fields: {},
      events: postbacks.map((p, index) => ({
        postbackId: p.id,
        event: 'resale',
        stage: index === 0 ? 'first_deposit' : 'redeposit',
        ordinal: index + 1,
        amount: ['10.00', '20.50', '30'][index],
        currency: 'USD',
        tid: null,
        reverses: null,
        receivedAt: p.payload.receivedAt,
      })),
      totals: {
        deposits: 3,
        depositAmount: { USD: '60.50' },
        reversals: 0,
        reversedAmount: {},
        netDepositAmount: { USD: '60.50' },
      },
    });
    expect((await api(app.baseUrl, `/api/clicks/${clickId}`, teamB.apiKey)).status).toBe(404);
    expect((await api(app.baseUrl, `/api/clicks/${newClickId()}`, teamA.apiKey)).status).toBe(404);
    expect((await api(app.baseUrl, `/api/clicks/${clickId}`, 'trk_wrong')).status).toBe(401);
  });

  it('documents the routes, the rates and their null case in OpenAPI', async () => {
    const docs = (await (await fetch(`${app.baseUrl}/docs-json`)).json()) as {
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining(['/api/clicks/{clickId}', '/api/funnel']),
    );
    expect(JSON.stringify(docs.components.schemas.FunnelRowDto)).toMatch(
      /decimal fraction.*null when the denominator is 0/,
    );
  });

  it('late click: unmatched postbacks are attributed, in receivedAt order, once the click arrives', async () => {
    const clickId = newClickId();
    const t = Date.now() - 3600_000;
    const postbacks = [
      postbackReceived(v2, { ...reg(), click_id: clickId }, { receivedAt: new Date(t) }),
      postbackReceived(
        v2,
        { ...ev('resale', { sumdep: '10' }), click_id: clickId },
        { receivedAt: new Date(t + 1000) },
      ),
      postbackReceived(
        v2,
        { ...ev('resale', { sumdep: '20' }), click_id: clickId },
        { receivedAt: new Date(t + 2000) },
      ),
      postbackReceived(
        v2,
        { ...reg({ x: '1' }), click_id: clickId },
        { receivedAt: new Date(t + 3000) },
      ),
    ];
    await publish(postbacks);
    await eventually(() => {
      for (const p of postbacks)
        expect(reader.latestOutcome(p.id)?.payload.status).toBe('unmatched');
    });
    await publish([clickRegistered(teamA.account.id, { clickId, campaign: 'late' })]);
    await eventually(() => {
      expect(postbacks.map((p) => reader.latestOutcome(p.id)?.payload.status)).toEqual([
        'attributed',
        'attributed',
        'attributed',
        'duplicate',
      ]);
      for (const p of postbacks.slice(0, 3)) expect(reader.conversionsOf(p.id)).toHaveLength(1);
    });
    expect(postbacks.map((p) => reader.conversionsOf(p.id).map((c) => c.payload.ordinal))).toEqual([
      [null],
      [1],
      [2],
      [],
    ]);
    for (const p of postbacks) {
      const [first, second] = reader.outcomesOf(p.id);
      expect(reader.outcomesOf(p.id)).toHaveLength(2);
      expect(first.payload).toMatchObject({ status: 'unmatched', errorCode: 'click_not_found' });
      expect(second.occurredAt > first.occurredAt).toBe(true);
    }
    const journey = await api<{ stage: string; totals: unknown }>(
      app.baseUrl,
      `/api/clicks/${clickId}`,
      teamA.apiKey,
    );
    expect(journey.body).toMatchObject({
      stage: 'redeposit',
      totals: { deposits: 2, depositAmount: { USD: '30' } },
    });
  });

  it('a late click re-judges after the unmatched decision even when its batch started earlier', async () => {
    // Partitions are judged concurrently: a click's batch may start (and read the clock) before a
    // postback's batch that takes the click lock first. Subscribers keep only a newer outcome.
    const dataSource = app.app.get<DataSource>(getDataSourceToken(ATTRIBUTION_DB));
    const writerAt = (at: number) =>
      new AttributionWriter(dataSource, async () => v2, { clock: () => new Date(at) });
    const clickId = newClickId();
    const started = Date.now();
    const postback = postbackReceived(v2, { ...reg(), click_id: clickId });
    const [unmatched] = await writerAt(started + 5000).write([consumed(postback)]);
    expect(unmatched).toMatchObject({
      type: 'PostbackProcessed',
      payload: { status: 'unmatched' },
    });

    const emitted = await writerAt(started).write([
      consumed(clickRegistered(teamA.account.id, { clickId })),
    ]);
    const rejudged = emitted.find((e) => e.type === 'PostbackProcessed')!;
    expect(rejudged.payload).toMatchObject({ postbackId: postback.id, status: 'attributed' });
    expect(rejudged.occurredAt > unmatched.occurredAt).toBe(true);
  });
});
