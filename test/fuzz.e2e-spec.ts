/**
 * Property-based fuzzing of the whole pipeline on the real stack (SPEC section 9): random bytes
 * in postback queries and bodies, `/r/` queries, tenant settings and API query parameters.
 * Properties: never a 5xx; every `200 {"status":"accepted"}` ends final in the log; every
 * minted click exists; none of our events is dead-lettered. A fixed seed keeps runs repeatable;
 * FUZZ_RUNS scales the number of cases (a few hundred in `npm test`).
 */
import { dlqTopic, Topics } from '@tracker/contracts';
import { eventually, startTestApp, testKafka, TestApp, TopicTail } from '@tracker/testing';
import fc from 'fast-check';
import { TRACKER_FEATURES } from '../apps/tracker/src/tracker.features';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
/** Cases run, by property, for the summary `npm run fuzz` prints. */
const cases = new Map<string, number>();
const runs = (n: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(n * SCALE)) });
const counted =
  <T extends unknown[]>(name: string, body: (...args: T) => Promise<void>) =>
  async (...args: T) => {
    cases.set(name, (cases.get(name) ?? 0) + 1);
    await body(...args);
  };
/** Per-test budget: the cases scale with FUZZ_RUNS, and so does the time they take. */
const budget = (ms: number) => Math.round(ms * Math.max(1, SCALE));

const FINAL = ['attributed', 'duplicate', 'unmatched', 'rejected'];
/** What the SPEC allows a postback to be refused with before it is durable. */
const REFUSED_BEFORE_DURABLE = [413, 414, 431];

/** Bytes as a URL component: every byte percent-encoded, whatever it is (NUL, 0xFF, …). */
const encodedBytes = (maxLength: number) =>
  fc
    .uint8Array({ maxLength })
    .map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));

/** A mix of plain names, prototype member names and random bytes. */
const hostileName = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'fields.__proto__'),
  fc.constantFrom('click_id', 'sumdep', 'currency', 'tracker.tid', 'fields.a', 'trader_id'),
  encodedBytes(24).filter((name) => name.length > 0),
);
const hostileValue = fc.oneof(
  encodedBytes(64),
  fc.constantFrom('%00', '%ED%A0%80', '%C3%28', '{click_id}', '12.50', 'usd', '%', '%zz'),
);
const hostileQuery = fc
  .array(fc.tuple(hostileName, hostileValue), { maxLength: 8 })
  .map((pairs) => pairs.map(([name, value]) => `${name}=${value}`).join('&'));

/** JSON strings with any code point, lone surrogates and NUL included. */
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

describe('fuzz: random bytes through the whole pipeline (SPEC section 9)', () => {
  let tracker: TestApp;
  let apiKey: string;
  let integrationId: string;
  let trackingPath: string;
  let clickId: string;
  const accepted: string[] = [];
  const clicks: string[] = [];
  const problems: string[] = [];
  const tails: TopicTail[] = [];

  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${tracker.baseUrl}${path}`, { redirect: 'manual', ...init });
    const text = await response.text();
    if (response.status >= 500)
      problems.push(`${init.method ?? 'GET'} ${path.slice(0, 200)} → ${response.status} ${text}`);
    return { status: response.status, text, headers: response.headers };
  };
  const api = (path: string, init: RequestInit = {}) =>
    call(path, {
      ...init,
      headers: { authorization: `Bearer ${apiKey}`, ...(init.headers ?? {}) },
    });
  const postbackPath = (query: string) =>
    `/api/postbacks/${integrationId}/tracker-postback?tracker.event=resale&click_id=${clickId}&${query}`;
  /** A postback's answer: accepted ones are remembered, to be found final in the log later. */
  const recordPostback = (response: { status: number; text: string }) => {
    if (response.status === 200) {
      const body = JSON.parse(response.text) as { status: string; id: string };
      expect(body.status).toBe('accepted');
      accepted.push(body.id);
    } else expect(REFUSED_BEFORE_DURABLE).toContain(response.status);
  };

  let started = Date.now();

  beforeAll(async () => {
    started = Date.now();
    tracker = await startTestApp({ name: 'fuzz', features: TRACKER_FEATURES });
    // After the start: the app creates the topics.
    const kafka = testKafka('fuzz');
    for (const topic of [Topics.Postbacks, Topics.Clicks, Topics.PostbackOutcomes])
      tails.push(await new TopicTail(kafka, dlqTopic(topic)).start());
    const account = await call('/api/accounts', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${tracker.config.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'Fuzz' }),
    });
    apiKey = (JSON.parse(account.text) as { apiKey: string }).apiKey;
    const created = await api('/api/integrations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ template: 'pocket-option-revshare' }),
    });
    integrationId = (JSON.parse(created.text) as { id: string }).id;
    const link = await api(`/api/integrations/${integrationId}/registration-links`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Main', baseUrl: 'https://partner.example/register' }),
    });
    trackingPath = new URL((JSON.parse(link.text) as { trackingUrl: string }).trackingUrl).pathname;
    const first = await call(`${trackingPath}?campaign=fuzz`);
    clickId = new URL(first.headers.get('location')!).searchParams.get('click_id')!;
    clicks.push(clickId);
  });

  afterAll(async () => {
    const seconds = (Date.now() - started) / 1000;
    const total = [...cases.values()].reduce((sum, n) => sum + n, 0);
    const lines = [...cases].map(([name, n]) => `  ${name}: ${n}`);
    process.stdout.write(
      `fuzz (seed ${SEED}): ${total} cases in ${seconds.toFixed(1)} s, ` +
        `${(total / seconds).toFixed(0)} cases/s; ${accepted.length} postbacks accepted, ` +
        `${clicks.length} clicks minted\n${lines.join('\n')}\n` +
        `found: ${problems.length === 0 ? 'nothing (see the failures above otherwise)' : problems.join('; ')}\n`,
    );
    for (const tail of tails) await tail.stop();
    await tracker?.close();
  });

  it(
    'accepts any postback query and never answers 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          hostileQuery,
          counted('postback query', async (query) => {
            recordPostback(await call(postbackPath(query)));
          }),
        ),
        runs(150),
      );
      expect(problems).toEqual([]);
    },
    budget(60_000),
  );

  it(
    'accepts any JSON or form postback body and never answers 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(anyText(32), fc.oneof(anyText(64), fc.integer(), fc.constant(null)), {
            maxKeys: 8,
          }),
          hostileQuery,
          counted('postback body', async (json, form) => {
            recordPostback(
              await call(postbackPath(''), {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(json),
              }),
            );
            recordPostback(
              await call(postbackPath(''), {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: form,
              }),
            );
          }),
        ),
        runs(60),
      );
      expect(problems).toEqual([]);
    },
    budget(60_000),
  );

  it(
    'mints a stored click for any /r/ query',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          hostileQuery,
          counted('/r/ query', async (query) => {
            const response = await call(`${trackingPath}?${query}`);
            expect(response.status).toBe(302);
            const minted = new URL(response.headers.get('location')!).searchParams.get('click_id')!;
            clicks.push(minted);
          }),
        ),
        runs(60),
      );
      expect(problems).toEqual([]);
    },
    budget(60_000),
  );

  it(
    'keeps any tenant setting as data or refuses it with a 400',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          anyText(40),
          fc.dictionary(
            fc.constantFrom('constructor', 'toString', 'trader_id', 'valueOf', '__proto__', 'a.b'),
            fc.constantFrom('toString', 'constructor', 'trader_id', 'hasOwnProperty'),
          ),
          counted('tenant setting', async (name, fieldParams) => {
            const response = await api(`/api/integrations/${integrationId}`, {
              method: 'PATCH',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name, fieldParams }),
            });
            expect([200, 400]).toContain(response.status);
            if (response.status === 200)
              expect(JSON.parse(response.text).fieldParams).toEqual(fieldParams);
            recordPostback(await call(postbackPath('trader_id=t&constructor=c&toString=s')));
          }),
        ),
        runs(30),
      );
      expect(problems).toEqual([]);
    },
    budget(60_000),
  );

  it(
    'matches any API query parameter as data, a 400 only for a bad format',
    async () => {
      const routes = [
        ['/api/postback-logs', 'q'],
        ['/api/postback-logs', 'clickId'],
        ['/api/postback-logs', 'event'],
        ['/api/postback-logs', 'limit'],
        ['/api/postback-logs', 'cursor'],
        ['/api/postback-logs', 'from'],
        ['/api/funnel', 'campaign'],
        ['/api/funnel', 'integrationId'],
        ['/api/funnel', 'groupBy'],
      ] as const;
      const free = new Set(['q', 'clickId', 'event', 'campaign', 'integrationId']);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes),
          hostileValue,
          counted('API parameter', async ([path, param], value) => {
            const response = await api(`${path}?${param}=${value}`);
            // Free text is data (an empty q aside, which is refused); formats may be a 400.
            if (free.has(param) && !(param === 'q' && value === ''))
              expect(response.status).toBe(200);
            else expect([200, 400]).toContain(response.status);
            if (response.status === 400) expect(response.text).toContain(param);
          }),
        ),
        runs(120),
      );
      const path = await fc.sample(encodedBytes(40), { seed: SEED, numRuns: 20 });
      for (const value of path) {
        await api(`/api/clicks/${value}`);
        await api(`/api/postback-logs/${value}`);
      }
      expect(problems).toEqual([]);
    },
    budget(60_000),
  );

  it(
    'ends every accepted postback final in the log, keeps every click, dead-letters none',
    async () => {
      expect(accepted.length).toBeGreaterThan(100);
      await eventually(
        async () => {
          const pending: string[] = [];
          for (const id of accepted) {
            const item = await api(`/api/postback-logs/${id}`);
            const status =
              item.status === 200
                ? (JSON.parse(item.text) as { status: string }).status
                : `http ${item.status}`;
            if (!FINAL.includes(status)) pending.push(`${id}: ${status}`);
          }
          expect(pending).toEqual([]);
        },
        { timeoutMs: budget(90_000), intervalMs: 500 },
      );
      for (const id of clicks) expect((await api(`/api/clicks/${id}`)).status).toBe(200);
      const ours = new Set([...accepted, ...clicks]);
      const deadLetters = tails
        .flatMap((tail) => tail.records)
        .filter((record) => {
          try {
            const envelope = JSON.parse(record.value?.toString() ?? 'null') as {
              id?: string;
              correlationId?: string;
              payload?: { postbackId?: string };
            };
            return [envelope.id, envelope.correlationId, envelope.payload?.postbackId].some(
              (id) => id !== undefined && ours.has(id),
            );
          } catch {
            return false;
          }
        });
      expect(deadLetters.map((record) => record.headers['dlq.reason'])).toEqual([]);
      expect(problems).toEqual([]);
    },
    budget(120_000),
  );
});
