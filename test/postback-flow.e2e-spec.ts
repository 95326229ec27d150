/**
 * The seed document's journey through the all-in-one tracker: connect Pocket Option from its
 * template, paste the partner link, send a user through the tracking link, receive the partner's
 * postbacks, and check the postback log, the click journey, the funnel, the per-event counters
 * and the conversions topic.
 */
import { Topics } from '@tracker/contracts';
import { createKafkaClient, TopicReader } from '@tracker/kafka';
import { apiClient, eventually, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';

interface IntegrationBody {
  id: string;
  events: Array<{ name: string; postbackUrl: string; receivedCount: number }>;
}

describe('postback flow through the whole tracker', () => {
  let tracker: TestApp;
  let apiKey: string;

  const api = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );

  /** The partner calls the URL it was given, with its own parameters appended. */
  const partnerCalls = async (postbackUrl: string, extra: string) => {
    const url = new URL(postbackUrl);
    const response = await fetch(`${tracker.baseUrl}${url.pathname}${url.search}&${extra}`);
    return {
      status: response.status,
      body: (await response.json()) as { status: string; id: string },
    };
  };

  beforeAll(async () => {
    tracker = await startTestApp({ name: 'flow', features: TRACKER_FEATURES });
    const account = await api('POST', '/api/accounts', {
      body: { name: 'Team A' },
      key: tracker.config.adminToken,
    });
    expect(account.status).toBe(201);
    apiKey = account.body.apiKey;
  });

  afterAll(async () => {
    await tracker?.close();
  });

  it('takes a postback whose URL carries the integration id in upper case', async () => {
    const created = await api<IntegrationBody>('POST', '/api/integrations', {
      body: { template: 'pocket-option-revshare' },
    });
    expect(created.status).toBe(201);
    const registration = created.body.events.find((e) => e.name === 'registration')!;
    const upper = registration.postbackUrl.replace(created.body.id, created.body.id.toUpperCase());
    expect(upper).not.toBe(registration.postbackUrl);
    const answer = await partnerCalls(upper, 'click_id=UpperCase123');
    expect(answer.status).toBe(200);
    const logged = await eventually(async () => {
      const item = await api<{ integrationId: string; status: string }>(
        'GET',
        `/api/postback-logs/${answer.body.id}`,
      );
      expect(item.status).toBe(200);
      expect(item.body.status).not.toBe('received');
      return item.body;
    });
    expect(logged.integrationId).toBe(created.body.id);
  });

  it('attributes the seed scenario end to end', async () => {
    const created = await api('POST', '/api/integrations', {
      body: { template: 'pocket-option-revshare' },
    });
    expect(created.status).toBe(201);
    const integration = created.body as IntegrationBody;
    const urls = Object.fromEntries(integration.events.map((e) => [e.name, e.postbackUrl]));
    expect(urls.resale).toBe(
      `${tracker.config.publicBaseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=resale&currency=usd`,
    );

    const link = await api('POST', `/api/integrations/${integration.id}/registration-links`, {
      body: {
        name: 'Main',
        baseUrl:
          'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123',
      },
    });
    expect(link.status).toBe(201);
    expect(link.body.finalUrl).toBe(
      'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123&click_id={{tracker.clickid}}',
    );

    const redirect = await fetch(
      `${tracker.baseUrl}${new URL(link.body.trackingUrl).pathname}?campaign=spring&source=tg&subscriber=42`,
      { redirect: 'manual' },
    );
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://pocketcustomer.com/register');
    const clickId = location.searchParams.get('click_id')!;
    expect(clickId).toMatch(/^[0-9A-Za-z]{10,16}$/);

    expect(
      (await partnerCalls(urls.registration, `click_id=${clickId}&trader_id=T-1`)).status,
    ).toBe(200);
    expect((await partnerCalls(urls.conf, `click_id=${clickId}`)).status).toBe(200);
    const fd = await partnerCalls(urls.resale, `click_id=${clickId}&sumdep=50.00`);
    expect(fd.body.status).toBe('accepted');
    await partnerCalls(urls.resale, `click_id=${clickId}&sumdep=100`);
    const broken = await partnerCalls(urls.registration, 'click_id={click_id}');
    expect(broken.status).toBe(200);

    const log = await eventually(
      async () => {
        const page = await api('GET', `/api/postback-logs?clickId=${clickId}`);
        expect(page.status).toBe(200);
        expect(page.body.items).toHaveLength(4);
        // The statuses themselves, so a failure shows which postback is behind and where.
        expect(page.body.items.map((i: { status: string }) => i.status)).toEqual([
          'attributed',
          'attributed',
          'attributed',
          'attributed',
        ]);
        return page.body.items as Array<{
          event: string;
          conversion: {
            stage: string;
            ordinal: number | null;
            amount: string | null;
            currency: string | null;
          };
        }>;
      },
      { timeoutMs: 30000 },
    );
    const deposits = log.filter((i) => i.event === 'resale').map((i) => i.conversion);
    expect(deposits.map((c) => [c.stage, c.ordinal, Number(c.amount), c.currency]).sort()).toEqual([
      ['first_deposit', 1, 50, 'USD'],
      ['redeposit', 2, 100, 'USD'],
    ]);

    const rejected = await eventually(async () => {
      const item = await api('GET', `/api/postback-logs/${broken.body.id}`);
      expect(item.body.status).toBe('rejected');
      return item.body;
    });
    expect(rejected.errorCode).toBe('click_id_missing');
    expect(rejected.error).toContain('{click_id}');

    const journey = await api('GET', `/api/clicks/${clickId}`);
    expect(journey.status).toBe(200);
    expect(journey.body).toMatchObject({
      clickId,
      integrationId: integration.id,
      campaign: 'spring',
      source: 'tg',
      subscriberId: '42',
      fields: { trader_id: 'T-1' },
    });
    expect(journey.body.events).toHaveLength(4);
    expect(journey.body.totals.deposits).toBe(2);
    expect(Number(journey.body.totals.depositAmount.USD)).toBe(150);

    const funnel = await api('GET', `/api/funnel?integrationId=${integration.id}`);
    expect(funnel.status).toBe(200);
    expect(funnel.body.rows[0]).toMatchObject({
      clicks: 1,
      registrations: 1,
      emailConfirmations: 1,
      firstDeposits: 1,
      redeposits: 1,
      uniqueRedepositors: 1,
    });

    await eventually(async () => {
      const again = await api('GET', `/api/integrations/${integration.id}`);
      const counts = Object.fromEntries(
        (again.body as IntegrationBody).events.map((e) => [e.name, e.receivedCount]),
      );
      expect(counts).toEqual({ registration: 2, conf: 1, resale: 2 });
    });

    const reader = await new TopicReader(
      createKafkaClient({ brokers: tracker.config.kafkaBrokers, clientId: 'flow-test' }),
      Topics.Conversions,
    ).start();
    try {
      const conversions = await eventually(() => {
        const ours = reader.messages.filter(
          (m) => m.event?.type === 'ConversionRecorded' && m.event.payload.clickId === clickId,
        );
        expect(ours).toHaveLength(4);
        return ours;
      });
      expect(
        conversions.every((m) => m.key === clickId && m.headers.type === 'ConversionRecorded'),
      ).toBe(true);
      expect(conversions.every((m) => m.headers.version === '1')).toBe(true);
    } finally {
      await reader.stop();
    }
  });
});
