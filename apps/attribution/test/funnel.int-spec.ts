/**
 * Funnel numbers for a scripted scenario (many clicks, campaigns, integrations and days),
 * checked against counts the test computes on its own from the script.
 */
import { IntegrationChangedPayload, PostbackReceivedEvent, Topics } from '@tracker/contracts';
import {
  closeSeedProducer,
  eventually,
  seedProducer,
  seedAccount,
  SeededAccount,
  seedIntegration,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { AttributionModule } from '../src/attribution.module';
import {
  api,
  clickRegistered,
  freshGroupPrefix,
  newClickId,
  postbackReceived,
  publish,
} from './attribution-fixtures';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const CAMPAIGNS = ['alpha', 'beta', null] as const;

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ScriptClick {
  clickId: string;
  campaign: string | null;
  integrationId: string;
  createdAt: Date;
}

/** What the script expects to be counted (duplicates are sent but never listed here). */
interface ScriptConversion {
  click: ScriptClick;
  stage:
    | 'registration'
    | 'email_confirmation'
    | 'first_deposit'
    | 'redeposit'
    | 'withdrawal'
    | 'commission'
    | 'reversal';
  at: Date;
  cents: number | null;
  currency: string;
  /** For a reversal: what it cancels. */
  reversed?: 'deposit' | 'commission';
}

interface Row {
  key: string | null;
  other?: true;
  clicks: number;
  registrations: number;
  emailConfirmations: number;
  firstDeposits: number;
  redeposits: number;
  uniqueRedepositors: number;
  withdrawals: number;
  depositAmount: Record<string, string>;
  commissionAmount: Record<string, string>;
  reversals: number;
  reversedAmount: Record<string, string>;
  netDepositAmount: Record<string, string>;
  click2reg: number | null;
  reg2fd: number | null;
  fd2rd: number | null;
}

const money = (cents: number): string =>
  cents < 0
    ? `-${money(-cents)}`
    : `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
const day = (date: Date) => date.toISOString().slice(0, 10);
const rate = (a: number, b: number) => (b === 0 ? null : Number((a / b).toFixed(4)));

type Grouping = 'none' | 'day' | 'campaign' | 'integration';

/** The funnel computed independently from the script. */
function expectedRows(
  clicks: ScriptClick[],
  conversions: ScriptConversion[],
  grouping: Grouping,
  filter: {
    from?: Date;
    to?: Date;
    campaign?: string;
    integrationId?: string;
    /** Hours the zone days are cut in is ahead of UTC (a zone without DST). */
    zoneHours?: number;
  } = {},
): Row[] {
  const inPeriod = (at: Date) =>
    (!filter.from || at >= filter.from) && (!filter.to || at < filter.to);
  const matches = (click: ScriptClick) =>
    (filter.campaign === undefined || click.campaign === filter.campaign) &&
    (filter.integrationId === undefined || click.integrationId === filter.integrationId);
  const keyOf = (click: ScriptClick, at: Date): string | null =>
    grouping === 'none'
      ? null
      : grouping === 'day'
        ? day(new Date(at.getTime() + (filter.zoneHours ?? 0) * HOUR))
        : grouping === 'campaign'
          ? click.campaign
          : click.integrationId;
  const rows = new Map<
    string | null,
    Row & { sets: Record<string, Set<string>>; sums: Record<string, number> }
  >();
  const row = (key: string | null) => {
    if (!rows.has(key)) {
      rows.set(key, {
        key,
        clicks: 0,
        registrations: 0,
        emailConfirmations: 0,
        firstDeposits: 0,
        redeposits: 0,
        uniqueRedepositors: 0,
        withdrawals: 0,
        depositAmount: {},
        commissionAmount: {},
        reversals: 0,
        reversedAmount: {},
        netDepositAmount: {},
        click2reg: null,
        reg2fd: null,
        fd2rd: null,
        sets: {
          registration: new Set(),
          email_confirmation: new Set(),
          first_deposit: new Set(),
          redeposit: new Set(),
        },
        sums: {},
      });
    }
    return rows.get(key)!;
  };
  if (grouping === 'none') row(null);
  for (const click of clicks) {
    if (matches(click) && inPeriod(click.createdAt)) row(keyOf(click, click.createdAt)).clicks++;
  }
  for (const c of conversions) {
    if (!matches(c.click) || !inPeriod(c.at)) continue;
    const r = row(keyOf(c.click, c.at));
    r.sets[c.stage]?.add(c.click.clickId);
    if (c.stage === 'redeposit') r.redeposits++;
    if (c.stage === 'withdrawal') r.withdrawals++;
    if (c.stage === 'reversal') r.reversals++;
    const add = (bucket: string, cents: number) => {
      r.sums[bucket + c.currency] = (r.sums[bucket + c.currency] ?? 0) + cents;
    };
    if (c.cents === null || c.stage === 'withdrawal') continue;
    if (c.stage === 'commission' || c.reversed === 'commission') add('c:', c.cents);
    else if (c.stage === 'reversal') {
      add('r:', -c.cents);
      add('n:', c.cents);
    } else {
      add('d:', c.cents);
      add('n:', c.cents);
    }
  }
  return [...rows.values()]
    .map(({ sets, sums, ...r }) => {
      r.registrations = sets.registration.size;
      r.emailConfirmations = sets.email_confirmation.size;
      r.firstDeposits = sets.first_deposit.size;
      r.uniqueRedepositors = sets.redeposit.size;
      const targets: Record<string, Record<string, string>> = {
        'c:': r.commissionAmount,
        'd:': r.depositAmount,
        'r:': r.reversedAmount,
        'n:': r.netDepositAmount,
      };
      for (const [bucket, cents] of Object.entries(sums).sort()) {
        targets[bucket.slice(0, 2)][bucket.slice(2)] = money(cents);
      }
      r.click2reg = rate(r.registrations, r.clicks);
      r.reg2fd = rate(r.firstDeposits, r.registrations);
      r.fd2rd = rate(r.uniqueRedepositors, r.firstDeposits);
      return r;
    })
    .sort(
      (a, b) =>
        // Campaigns: most clicks first; then (and for every other grouping) by key, null last.
        (grouping === 'campaign' ? b.clicks - a.clicks : 0) ||
        (a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1),
    );
}

describe('attribution: funnel', () => {
  let app: TestApp;
  let team: SeededAccount;
  let other: SeededAccount;
  const integrations: IntegrationChangedPayload[] = [];
  const clicks: ScriptClick[] = [];
  const conversions: ScriptConversion[] = [];
  const base = new Date(Math.floor(Date.now() / DAY) * DAY - 10 * DAY);

  const funnel = async (query: string, apiKey = team.apiKey) => {
    const response = await api<{ rows: Row[] }>(app.baseUrl, `/api/funnel?${query}`, apiKey);
    expect(response.status).toBe(200);
    return response.body.rows;
  };

  beforeAll(async () => {
    team = await seedAccount('Funnel team');
    other = await seedAccount('Other team');
    integrations.push(await seedIntegration(team.account.id, {}, 'pocket-option-revshare-v2'));
    integrations.push(await seedIntegration(team.account.id, {}, 'pocket-option-revshare-v2'));
    const foreign = await seedIntegration(other.account.id, {}, 'pocket-option-revshare-v2');
    app = await startTestApp({
      name: 'attribution-funnel',
      features: [AttributionModule],
      groupPrefix: await freshGroupPrefix('attribution-funnel'),
    });

    const next = random(20261124);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const cents = () => 100 + Math.floor(next() * 20000);
    const postbacks: PostbackReceivedEvent[] = [];
    for (let i = 0; i < 60; i++) {
      const integration = pick(integrations);
      const click: ScriptClick = {
        clickId: newClickId(),
        campaign: pick(CAMPAIGNS),
        integrationId: integration.id,
        createdAt: new Date(base.getTime() + Math.floor(next() * 3 * DAY)),
      };
      clicks.push(click);
      let at = click.createdAt.getTime();
      const send = (
        query: Record<string, string>,
        expected?: Omit<ScriptConversion, 'click' | 'at'>,
      ) => {
        at += Math.floor(next() * 20 * HOUR) + 1000;
        postbacks.push(
          postbackReceived(
            integration,
            { click_id: click.clickId, ...query },
            { receivedAt: new Date(at) },
          ),
        );
        if (expected) conversions.push({ click, at: new Date(at), ...expected });
      };
      if (next() < 0.3) continue;
      send(
        { 'tracker.event': 'registration' },
        { stage: 'registration', cents: null, currency: 'USD' },
      );
      if (next() < 0.3) send({ 'tracker.event': 'registration', again: '1' }); // a duplicate
      if (next() < 0.5)
        send(
          { 'tracker.event': 'emailconf' },
          { stage: 'email_confirmation', cents: null, currency: 'USD' },
        );
      if (next() < 0.4) continue;
      const currency = next() < 0.8 ? 'USD' : 'EUR';
      const deposits = 1 + Math.floor(next() * 4);
      const deposited: number[] = [];
      for (let d = 0; d < deposits; d++) {
        const amount = cents();
        deposited.push(amount);
        send(
          {
            'tracker.event': 'resale',
            sumdep: money(amount),
            currency: currency.toLowerCase(),
            'tracker.tid': `D${d}`,
          },
          { stage: d === 0 ? 'first_deposit' : 'redeposit', cents: amount, currency },
        );
      }
      if (next() < 0.3) {
        // A chargeback of one deposit (by its tid), then the same chargeback again (a duplicate).
        const d = Math.floor(next() * deposits);
        const chargeback = {
          'tracker.event': 'resale',
          'tracker.tid': `D${d}`,
          status: 'chargeback',
        };
        send(chargeback, {
          stage: 'reversal',
          cents: -deposited[d],
          currency,
          reversed: 'deposit',
        });
        send({ ...chargeback, again: '1' });
      }
      if (next() < 0.3) {
        const amount = cents();
        send(
          { 'tracker.event': 'withdraw', sumdep: `-${money(amount)}` },
          { stage: 'withdrawal', cents: -amount, currency: 'USD' },
        );
      }
      if (next() < 0.5) {
        const amount = cents();
        send(
          { 'tracker.event': 'Revshare', sumdep: money(amount), 'tracker.tid': 'C1' },
          { stage: 'commission', cents: amount, currency: 'USD' },
        );
        if (next() < 0.4) {
          send(
            { 'tracker.event': 'Revshare', 'tracker.tid': 'C1', status: 'declined' },
            { stage: 'reversal', cents: -amount, currency: 'USD', reversed: 'commission' },
          );
        }
      }
    }
    // Another account's traffic on the same days must never show up.
    const foreignClick = newClickId();
    await publish([
      ...clicks.map((c) =>
        clickRegistered(team.account.id, {
          clickId: c.clickId,
          campaign: c.campaign,
          integrationId: c.integrationId,
          createdAt: c.createdAt.toISOString(),
        }),
      ),
      clickRegistered(other.account.id, {
        clickId: foreignClick,
        campaign: 'alpha',
        createdAt: base.toISOString(),
      }),
    ]);
    await eventually(async () => {
      const [total] = await funnel('groupBy=none');
      expect(total.clicks).toBe(clicks.length);
    });
    await publish([
      ...postbacks,
      postbackReceived(
        foreign,
        { 'tracker.event': 'registration', click_id: foreignClick },
        { receivedAt: base },
      ),
    ]);
    const expected = expectedRows(clicks, conversions, 'none');
    await eventually(async () => expect(await funnel('groupBy=none')).toEqual(expected), {
      timeoutMs: 30000,
    });
  });

  afterAll(async () => {
    await app?.close();
    await closeSeedProducer();
  });

  it('has a scenario worth checking', () => {
    const [total] = expectedRows(clicks, conversions, 'none');
    expect(total.registrations).toBeGreaterThan(10);
    expect(total.firstDeposits).toBeGreaterThan(5);
    expect(total.redeposits).toBeGreaterThan(5);
    expect(Object.keys(total.depositAmount)).toEqual(['EUR', 'USD']);
    expect(total.reversals).toBeGreaterThan(2);
    expect(conversions.some((c) => c.reversed === 'commission')).toBe(true);
    expect(Object.keys(total.reversedAmount).length).toBeGreaterThan(0);
  });

  it.each<Grouping>(['none', 'day', 'campaign', 'integration'])('groupBy=%s', async (grouping) => {
    expect(await funnel(`groupBy=${grouping}`)).toEqual(
      expectedRows(clicks, conversions, grouping),
    );
  });

  it('counts clicks in the period they were made, conversions in the period they occurred', async () => {
    const from = new Date(base.getTime() + DAY);
    const to = new Date(base.getTime() + 2 * DAY);
    expect(await funnel(`from=${from.toISOString()}&to=${to.toISOString()}&groupBy=day`)).toEqual(
      expectedRows(clicks, conversions, 'day', { from, to }),
    );
    // A plain date as `to` is exclusive like an instant: its midnight ends the period.
    expect(await funnel(`from=${day(from)}&to=${day(to)}`)).toEqual(
      expectedRows(clicks, conversions, 'none', { from, to }),
    );
    expect(await funnel(`from=${day(from)}&to=${day(from)}`)).toEqual(
      expectedRows(clicks, conversions, 'none', { from, to: from }),
    );
  });

  it('cuts days and reads plain dates in the tz given', async () => {
    // Asia/Tokyo is UTC+9 all year: its days start at 15:00 UTC the day before.
    expect(await funnel('groupBy=day&tz=Asia/Tokyo')).toEqual(
      expectedRows(clicks, conversions, 'day', { zoneHours: 9 }),
    );
    const first = new Date(base.getTime() + DAY);
    const from = new Date(first.getTime() - 9 * HOUR);
    const to = new Date(from.getTime() + DAY);
    expect(
      await funnel(`from=${day(first)}&to=${day(new Date(first.getTime() + DAY))}&tz=Asia/Tokyo`),
    ).toEqual(expectedRows(clicks, conversions, 'none', { from, to }));
    expect(
      await funnel(`from=${day(first)}T00:00&to=${day(first)}T12:00&tz=Asia/Tokyo&groupBy=day`),
    ).toEqual(
      expectedRows(clicks, conversions, 'day', {
        from,
        to: new Date(from.getTime() + 12 * HOUR),
        zoneHours: 9,
      }),
    );
    const bad = await api<{ message: string }>(
      app.baseUrl,
      '/api/funnel?tz=Mars/Olympus',
      team.apiKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^tz/);
  });

  it('filters by campaign and integration', async () => {
    expect(await funnel('campaign=beta&groupBy=day')).toEqual(
      expectedRows(clicks, conversions, 'day', { campaign: 'beta' }),
    );
    const integrationId = integrations[1].id;
    expect(await funnel(`integrationId=${integrationId}&groupBy=campaign`)).toEqual(
      expectedRows(clicks, conversions, 'campaign', { integrationId }),
    );
  });

  it('groupBy=campaign: at most 1,000 rows, most clicks first, then one other row summing the rest', async () => {
    // Campaigns come from the public /r/ query: a visitor can make as many as they like.
    const many = await seedAccount('Many campaigns');
    const integration = await seedIntegration(many.account.id, {}, 'pocket-option-revshare-v2');
    const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000).toISOString();
    const made: Array<{ clickId: string; campaign: string | null }> = [
      ...['top', 'top', 'top', null, null].map((campaign) => ({ clickId: newClickId(), campaign })),
      ...Array.from({ length: 1000 }, (_, n) => ({
        clickId: newClickId(),
        campaign: `c${String(n).padStart(4, '0')}`,
      })),
    ];
    const producer = await seedProducer();
    await producer.publishMany(
      Topics.Clicks,
      made.map((click, n) => ({
        key: click.clickId,
        event: clickRegistered(many.account.id, {
          ...click,
          integrationId: integration.id,
          createdAt: at(n),
        }),
      })),
    );
    const kept = made.find((click) => click.campaign === 'c0000')!;
    const cut = made.find((click) => click.campaign === 'c0999')!;
    await publish([
      postbackReceived(
        integration,
        { 'tracker.event': 'registration', click_id: kept.clickId },
        { receivedAt: new Date(at(2000)) },
      ),
      postbackReceived(
        integration,
        { 'tracker.event': 'registration', click_id: cut.clickId },
        { receivedAt: new Date(at(2000)) },
      ),
      postbackReceived(
        integration,
        {
          'tracker.event': 'resale',
          click_id: cut.clickId,
          sumdep: '10.00',
          currency: 'usd',
          'tracker.tid': 'D0',
        },
        { receivedAt: new Date(at(2001)) },
      ),
    ]);

    const rows = await eventually(
      async () => {
        const answer = await funnel('groupBy=campaign', many.apiKey);
        expect(answer.at(-1)).toMatchObject({ other: true, registrations: 1, firstDeposits: 1 });
        return answer;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(rows).toHaveLength(1001);
    expect(rows.slice(0, 3).map((row) => [row.key, row.clicks, row.registrations])).toEqual([
      ['top', 3, 0],
      [null, 2, 0],
      ['c0000', 1, 1],
    ]);
    expect(rows.filter((row) => row.other)).toHaveLength(1);
    expect(rows[999]).toMatchObject({ key: 'c0997', clicks: 1 });
    expect(rows[1000]).toEqual({
      key: null,
      other: true,
      clicks: 2,
      registrations: 1,
      emailConfirmations: 0,
      firstDeposits: 1,
      redeposits: 0,
      uniqueRedepositors: 0,
      withdrawals: 0,
      depositAmount: { USD: '10.00' },
      commissionAmount: {},
      reversals: 0,
      reversedAmount: {},
      netDepositAmount: { USD: '10.00' },
      click2reg: 0.5,
      reg2fd: 1,
      fd2rd: 0,
    });
    // Filtered down to fewer campaigns, nothing is cut.
    const one = await funnel('groupBy=campaign&campaign=c0999', many.apiKey);
    expect(one).toEqual([expect.objectContaining({ key: 'c0999', clicks: 1, registrations: 1 })]);
    expect(one[0].other).toBeUndefined();
  }, 120_000);

  it('shows an account only its own data and validates the query', async () => {
    const [theirs] = await funnel('groupBy=none', other.apiKey);
    expect(theirs).toMatchObject({ key: null, clicks: 1, registrations: 1 });
    const bad = await api<{ message: string }>(
      app.baseUrl,
      '/api/funnel?groupBy=week',
      team.apiKey,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/groupBy/);
    expect((await api(app.baseUrl, '/api/funnel', 'trk_nope')).status).toBe(401);
  });
});
