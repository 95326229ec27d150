/**
 * Outgoing postbacks through the whole tracker (SPEC section 4): destinations created from each
 * ready template (pointed at a local receiver on 127.0.0.1, hence DESTINATIONS_ALLOW_PRIVATE),
 * a click with ad-platform parameters, the partner's postbacks, and what each destination got;
 * and a chargeback (SPEC section 5, status updates) reaching only the destinations that ask for
 * `reversal`.
 */
import { apiClient, eventually, HttpReceiver, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';

interface Template {
  id: string;
  name: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  stages: string[];
}

describe('outgoing postbacks through the whole tracker', () => {
  let tracker: TestApp;
  let receiver: HttpReceiver;
  let apiKey: string;

  const api = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );

  beforeAll(async () => {
    receiver = await new HttpReceiver().start();
    tracker = await startTestApp({
      name: 'outgoing',
      features: TRACKER_FEATURES,
      config: { destinationsAllowPrivate: true },
    });
    const account = await api('POST', '/api/accounts', {
      body: { name: 'Team A' },
      key: tracker.config.adminToken,
    });
    apiKey = account.body.apiKey;
  });

  afterAll(async () => {
    await tracker?.close();
    await receiver?.stop();
  });

  it('delivers a conversion to each ready template as configured', async () => {
    const integration = (
      await api('POST', '/api/integrations', { body: { template: 'pocket-option-revshare' } })
    ).body as { id: string; events: Array<{ name: string; postbackUrl: string }> };
    const templates = (await api('GET', '/api/destination-templates')).body as Template[];
    const secrets: Record<string, string> = {
      's2s-get': '',
      'facebook-capi': 'EAAGm0PX4ZCpsBAKZAZB',
      'tiktok-events': 'tt-access-0123456789',
      'telegram-bot': '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      'telegram-bot-signups': '123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
    };
    const destinations: Record<string, string> = {};
    for (const template of templates) {
      // The template's host becomes the local receiver; its placeholders get test values.
      const url = template.url
        .replace(/^https:\/\/[^/]+/, `${receiver.baseUrl}/${template.id}`)
        .replace('ACCESS_TOKEN', secrets[template.id])
        .replace('BOT_TOKEN', secrets[template.id])
        .replace('PIXEL_ID', '1234567890');
      const headers = Object.fromEntries(
        Object.entries(template.headers).map(([name, value]) => [
          name,
          value.replace('ACCESS_TOKEN', secrets[template.id]),
        ]),
      );
      const created = await api('POST', '/api/destinations', {
        body: {
          name: template.name,
          integrationId: integration.id,
          stages: template.stages,
          method: template.method,
          url,
          headers,
          body: template.body?.replace('CHAT_ID', '-100200300').replace('PIXEL_CODE', 'CT0PIXEL'),
        },
      });
      expect({ template: template.id, status: created.status }).toEqual({
        template: template.id,
        status: 201,
      });
      destinations[template.id] = created.body.id;
    }

    const click = await api('POST', '/api/clicks', {
      body: {
        integrationId: integration.id,
        campaign: 'spring',
        source: 'fb',
        params: { fbclid: 'IwAR2-test', ttclid: 'E.C.P.tt' },
      },
    });
    expect(click.status).toBe(201);
    const clickId = click.body.clickId as string;
    const urls = Object.fromEntries(integration.events.map((e) => [e.name, e.postbackUrl]));
    const partnerCalls = (postbackUrl: string, extra: string) => {
      const url = new URL(postbackUrl);
      return fetch(`${tracker.baseUrl}${url.pathname}${url.search}&${extra}`);
    };
    expect((await partnerCalls(urls.registration, `click_id=${clickId}`)).status).toBe(200);
    expect((await partnerCalls(urls.resale, `click_id=${clickId}&sumdep=50.00`)).status).toBe(200);

    const items = await eventually(
      async () => {
        const page = await api('GET', `/api/deliveries?clickId=${clickId}`);
        expect(page.body.items.map((d: { status: string }) => d.status)).toEqual(
          Array(6).fill('delivered'),
        );
        return page.body.items as Array<{
          destinationId: string;
          stage: string;
          request: { url: string };
        }>;
      },
      { timeoutMs: 30_000 },
    );
    const stagesOf = (id: string) =>
      items
        .filter((d) => d.destinationId === destinations[id])
        .map((d) => d.stage)
        .sort();
    expect(stagesOf('s2s-get')).toEqual(['first_deposit', 'registration']);
    expect(stagesOf('facebook-capi')).toEqual(['first_deposit']);
    expect(stagesOf('tiktok-events')).toEqual(['first_deposit']);
    expect(stagesOf('telegram-bot')).toEqual(['first_deposit']);
    expect(stagesOf('telegram-bot-signups')).toEqual(['registration']);
    // Secrets are masked in what the API shows.
    const shown = JSON.stringify(items);
    expect(shown).not.toContain('PALDsaw');
    expect(shown).not.toContain('ZCpsBAKZAZB');
    expect(shown).toContain('access_token=•••ZAZB');
    expect(shown).toContain('/bot•••Dsaw/');

    const s2s = receiver.to('/s2s-get').map((r) => r.url);
    expect(s2s).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^/s2s-get/postback\\?subid=${clickId}&status=first_deposit&payout=50\\.00&currency=USD&tid=[0-9a-f-]{36}$`,
        ),
      ),
    );
    const [facebook] = receiver.to('/facebook-capi');
    expect(facebook.url).toBe(
      '/facebook-capi/v21.0/1234567890/events?access_token=EAAGm0PX4ZCpsBAKZAZB',
    );
    const fbEvent = JSON.parse(facebook.body).data[0];
    expect(fbEvent).toMatchObject({
      event_name: 'Purchase',
      event_time: expect.any(Number),
      user_data: {
        external_id: [clickId],
        // fb.1.<the click's time in ms>.<its fbclid> (Facebook's click id format).
        fbc: expect.stringMatching(/^fb\.1\.\d{13}\.IwAR2-test$/),
      },
      custom_data: { value: '50.00', currency: 'USD' },
    });
    const [tiktok] = receiver.to('/tiktok-events');
    expect(tiktok.headers['access-token']).toBe('tt-access-0123456789');
    expect(JSON.parse(tiktok.body).data[0].user).toEqual({
      ttclid: 'E.C.P.tt',
      external_id: clickId,
    });
    const telegram = (path: string) => receiver.to(path).map((r) => JSON.parse(r.body).text);
    expect(telegram('/telegram-bot/')).toEqual([
      `Deposit #1: 50.00 USD\nClick: ${clickId}\nCampaign: spring\nSource: fb`,
    ]);
    expect(telegram('/telegram-bot-signups')).toEqual([
      `Sign-up step: registration\nClick: ${clickId}\nCampaign: spring\nSource: fb`,
    ]);
    expect(receiver.to('/telegram-bot/')[0].url).toBe(
      '/telegram-bot/bot123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage',
    );

    // The test send answers with the request (masked) and the receiver's response.
    receiver.script('/telegram-bot/', [{ status: 200, body: '{"ok":true}' }]);
    const test = await api('POST', `/api/destinations/${destinations['telegram-bot']}/test`);
    expect(test.status).toBe(200);
    expect(test.body.request).toMatchObject({
      method: 'POST',
      url: `${receiver.baseUrl}/telegram-bot/bot•••Dsaw/sendMessage`,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': expect.any(String) },
    });
    expect(test.body.response).toMatchObject({ status: 200, body: '{"ok":true}', error: null });
  });

  it('sends a chargeback as a reversal only where stages ask for it, with {stage} and {amount}', async () => {
    const integration = (
      await api('POST', '/api/integrations', {
        body: { template: 'pocket-option-revshare', name: 'Chargebacks' },
      })
    ).body as { id: string; events: Array<{ name: string; postbackUrl: string }> };
    const destination = async (name: string, stages: string[]) => {
      const created = await api('POST', '/api/destinations', {
        body: {
          name,
          integrationId: integration.id,
          stages,
          method: 'GET',
          url: `${receiver.baseUrl}/${name}?stage={stage}&amount={amount}&currency={currency}&tid={tid}&ordinal={ordinal}`,
        },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const withReversals = await destination('with-reversals', ['first_deposit', 'reversal']);
    const depositsOnly = await destination('deposits-only', ['first_deposit']);

    const click = await api('POST', '/api/clicks', { body: { integrationId: integration.id } });
    expect(click.status).toBe(201);
    const clickId = click.body.clickId as string;
    const resale = new URL(integration.events.find((e) => e.name === 'resale')!.postbackUrl);
    const partnerCalls = async (extra: string) => {
      const response = await fetch(`${tracker.baseUrl}${resale.pathname}${resale.search}&${extra}`);
      expect(response.status).toBe(200);
    };
    await partnerCalls(`click_id=${clickId}&sumdep=75.50&tracker.tid=T-900`);
    // The deposit is delivered before its chargeback arrives, as in life.
    await eventually(
      async () =>
        expect(receiver.to('/deposits-only').length + receiver.to('/with-reversals').length).toBe(
          2,
        ),
      { timeoutMs: 30_000 },
    );
    // The partner's status update: the same tid with status=chargeback (amount ignored).
    await partnerCalls(`click_id=${clickId}&tracker.tid=T-900&status=chargeback&sumdep=1`);

    const items = await eventually(
      async () => {
        const page = await api('GET', `/api/deliveries?clickId=${clickId}`);
        const delivered = (page.body.items as Array<{ status: string; stage: string }>).filter(
          (d) => d.status === 'delivered',
        );
        expect(delivered.map((d) => d.stage).sort()).toEqual([
          'first_deposit',
          'first_deposit',
          'reversal',
        ]);
        return page.body.items as Array<{ destinationId: string; stage: string }>;
      },
      { timeoutMs: 30_000 },
    );
    const stagesOf = (id: string) =>
      items
        .filter((d) => d.destinationId === id)
        .map((d) => d.stage)
        .sort();
    expect(stagesOf(withReversals)).toEqual(['first_deposit', 'reversal']);
    expect(stagesOf(depositsOnly)).toEqual(['first_deposit']);

    expect(receiver.to('/with-reversals').map((r) => r.url)).toEqual([
      '/with-reversals?stage=first_deposit&amount=75.50&currency=USD&tid=T-900&ordinal=1',
      // A reversal carries the reversed conversion's amount negated and no ordinal (SPEC 3, 5).
      '/with-reversals?stage=reversal&amount=-75.50&currency=USD&tid=T-900&ordinal=',
    ]);
    expect(receiver.to('/deposits-only').map((r) => r.url)).toEqual([
      '/deposits-only?stage=first_deposit&amount=75.50&currency=USD&tid=T-900&ordinal=1',
    ]);
  });
});
