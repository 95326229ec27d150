/**
 * How much one integration holds (README "The HTTP API"). SPEC section 4 sets no number of
 * events or registration links, and `GET /api/integrations/:id` answers all of them, so
 * creation bounds them (section 9: sizes and lists bounded): at most 200 events and 1,000
 * registration links, and never more than its snapshot on `tracker.integrations.v1` can carry
 * in one Kafka message. Past a bound, a 400 naming the field and nothing stored; the paged
 * `GET /api/integrations/:id/registration-links` still lists every link. On the whole tracker:
 * the ingress serves the links of a full integration.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { apiClient, eventually, startTestApp, TestApp } from '@tracker/testing';
import { DataSource } from 'typeorm';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';

interface Integration {
  id: string;
  events: Array<{ name: string }>;
  registrationLinks: Array<{ id: string }>;
}

interface LinkPage {
  items: Array<{ id: string; name: string }>;
  nextCursor: string | null;
}

const MAX_EVENTS = 200;
const MAX_LINKS = 1000;

describe('what one integration holds', () => {
  let tracker: TestApp;
  let key: string;

  const api = apiClient(
    () => tracker.baseUrl,
    () => key,
  );

  const createIntegration = async (name: string): Promise<string> => {
    const created = await api<Integration>('POST', '/api/integrations', {
      body: { template: 'custom', name },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };

  /**
   * Stores links as the registry does (ids `<prefix>000000000001`…, millisecond times as
   * `new Date()` gives), without a snapshot each: the next change publishes them all.
   */
  const seedLinks = async (
    prefix: string,
    integrationId: string,
    count: number,
    baseUrl: string,
  ) => {
    const registry = tracker.app.get<DataSource>(getDataSourceToken('registry'));
    await registry.query(
      `INSERT INTO registry.registration_links
         (id, integration_id, name, base_url, final_url, created_at)
       SELECT $1 || lpad(n::text, 12, '0'), $2, 'Seeded ' || n, $3,
              $3 || '?click_id={{tracker.clickid}}',
              date_trunc('milliseconds', now()) - interval '1 hour' + n * interval '1 ms'
         FROM generate_series(1, $4::int) AS n`,
      [prefix, integrationId, baseUrl, count],
    );
  };

  /** Every link, `limit` at a time, following nextCursor. */
  const walkLinks = async (integrationId: string, limit: number) => {
    const pages: LinkPage[] = [];
    let cursor: string | null = null;
    do {
      const after: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await api<LinkPage>(
        'GET',
        `/api/integrations/${integrationId}/registration-links?limit=${limit}${after}`,
      );
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.nextCursor;
    } while (cursor !== null && pages.length < 10);
    return pages;
  };

  const redirects = async (linkId: string) =>
    (await fetch(`${tracker.baseUrl}/r/${linkId}`, { redirect: 'manual' })).status;

  beforeAll(async () => {
    tracker = await startTestApp({ name: 'integration-limits', features: TRACKER_FEATURES });
    const account = await api<{ apiKey: string }>('POST', '/api/accounts', {
      body: { name: 'Limits' },
      key: tracker.config.adminToken,
    });
    key = account.body.apiKey;
  });

  afterAll(async () => {
    await tracker?.close();
  });

  it(`holds ${MAX_EVENTS} events: one more is a 400 naming events, and nothing is stored`, async () => {
    const id = await createIntegration('Many events');
    for (let n = 1; n <= MAX_EVENTS; n += 1) {
      const added = await api('POST', `/api/integrations/${id}/events`, {
        body: { name: `event.${n}`, kind: 'custom' },
      });
      expect({ n, status: added.status }).toEqual({ n, status: 201 });
    }
    const { status, body } = await api('POST', `/api/integrations/${id}/events`, {
      body: { name: 'one.too.many', kind: 'custom' },
    });
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        message: `events: an integration holds at most ${MAX_EVENTS} events; delete one before adding another`,
        field: 'events',
      },
    });
    const detail = await api<Integration>('GET', `/api/integrations/${id}`);
    expect(detail.body.events.map((event) => event.name)).toEqual(
      Array.from({ length: MAX_EVENTS }, (_, i) => `event.${i + 1}`),
    );
    // The bound is on what it holds: after a delete there is room again.
    expect((await api('DELETE', `/api/integrations/${id}/events/event.7`)).status).toBe(204);
    const again = await api('POST', `/api/integrations/${id}/events`, {
      body: { name: 'one.too.many', kind: 'custom' },
    });
    expect(again.status).toBe(201);
  }, 120_000);

  it(`holds ${MAX_LINKS} registration links, all served and all listed page by page`, async () => {
    const id = await createIntegration('Many links');
    await seedLinks('many', id, MAX_LINKS - 1, 'https://pocketcustomer.com/register?code=SEED');
    const last = await api<{ id: string }>('POST', `/api/integrations/${id}/registration-links`, {
      body: { name: 'Last', baseUrl: 'https://pocketcustomer.com/register?code=LAST' },
    });
    expect(last.status).toBe(201);
    const { status, body } = await api('POST', `/api/integrations/${id}/registration-links`, {
      body: { name: 'One too many', baseUrl: 'https://pocketcustomer.com/register?code=MORE' },
    });
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        message: `registrationLinks: an integration holds at most ${MAX_LINKS} registration links; delete one before adding another`,
        field: 'registrationLinks',
      },
    });

    const detail = await api<Integration>('GET', `/api/integrations/${id}`);
    expect(detail.body.registrationLinks).toHaveLength(MAX_LINKS);
    const pages = await walkLinks(id, 500);
    expect(pages.map((page) => page.items.length)).toEqual([500, 500]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.flatMap((page) => page.items.map((link) => link.id))).toEqual(
      detail.body.registrationLinks.map((link) => link.id),
    );
    expect(pages.flatMap((page) => page.items).at(-1)).toMatchObject({ id: last.body.id });

    // The snapshot with all of them reached the ingress: the first and the last redirect.
    await eventually(async () => {
      expect(await redirects(last.body.id)).toBe(302);
      expect(await redirects('many000000000001')).toBe(302);
    });
  }, 120_000);

  it('refuses a link that would outgrow one Kafka message with a 400 naming registrationLinks', async () => {
    const id = await createIntegration('Long links');
    // ~4 KB per link in the snapshot: 220 of them leave room for a few more, not for 40.
    const longUrl = (tag: string) =>
      `https://pocketcustomer.com/register?code=${tag}&pad=${'x'.repeat(1950)}`;
    await seedLinks('long', id, 220, longUrl('SEED'));
    const accepted: string[] = [];
    let refused: { status: number; body: unknown } | undefined;
    for (let n = 1; n <= 40 && refused === undefined; n += 1) {
      const added = await api<{ id: string }>(
        'POST',
        `/api/integrations/${id}/registration-links`,
        { body: { name: `Long ${n}`, baseUrl: longUrl(`L${n}`) } },
      );
      if (added.status === 201) accepted.push(added.body.id);
      else refused = { status: added.status, body: added.body };
    }
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        message: expect.stringMatching(
          /^registrationLinks: an integration with its events and registration links is published as one Kafka message of at most 1000000 bytes, and this change would make it 1\d{6}; /,
        ),
        field: 'registrationLinks',
      },
    });
    const detail = await api<Integration>('GET', `/api/integrations/${id}`);
    expect(detail.body.registrationLinks).toHaveLength(220 + accepted.length);
    // What was accepted was published: the ingress serves the last one.
    await eventually(async () => expect(await redirects(accepted.at(-1)!)).toBe(302));
  }, 120_000);
});
