/**
 * The web console in a real browser against the whole tracker (real Kafka and PostgreSQL):
 * the seed document's journey as a marketer would click it, partner postbacks sent over HTTP,
 * hostile input shown as text only, tenant isolation, accessibility and screenshots of every
 * page, and the size of the first load.
 */
import { gzipSync } from 'node:zlib';
import { writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiClient, eventually, startTestApp, TestApp } from '@tracker/testing';
import { TRACKER_FEATURES } from '../../apps/tracker/src/tracker.features';
import {
  ARTIFACTS,
  buildConsole,
  launchChromium,
  screenshot,
  seriousViolations,
} from './console-browser';

const SEED_LINK =
  'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123';
const HOSTILE = {
  img: '<img src=x onerror=alert(1)>',
  script: '"><script>alert(2)</script>',
  js: 'javascript:alert(3)',
};
/** The first load's gzipped JavaScript budget (issue 13). */
const FIRST_LOAD_BUDGET = 300 * 1024;

interface Integration {
  id: string;
  events: Array<{ name: string; postbackUrl: string }>;
}

describe('web console in Chromium', () => {
  let tracker: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dialogs: string[] = [];
  // Filled by the seed journey, used by the later tests.
  const seed = { apiKey: '', integrationId: '', clickId: '', brokenPostbackId: '' };

  const api = apiClient(() => tracker.baseUrl);

  /** The partner calls the URL it was given with its own parameters appended. */
  const partnerCalls = async (postbackUrl: string, extra: string, init: RequestInit = {}) => {
    const url = new URL(postbackUrl);
    const response = await fetch(`${tracker.baseUrl}${url.pathname}${url.search}&${extra}`, init);
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  };

  const createAccount = async (name: string) =>
    (
      await api<{ id: string; apiKey: string }>('POST', '/api/accounts', {
        body: { name },
        key: tracker.config.adminToken,
      })
    ).body;

  /** What a tab logged, so a failing wait says what the page was doing. */
  const pageLog: string[] = [];
  /** Every URL the browser asked for: the API key must never be in one. */
  const requested: string[] = [];
  const watch = (tab: Page) => {
    tab.on('request', (request) => requested.push(request.url()));
    tab.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    tab.on('pageerror', (error) => pageLog.push(`pageerror ${error.message}`));
    tab.on('console', (message) => {
      if (message.type() === 'error') pageLog.push(`console ${message.text()}`);
    });
  };

  /** Waits for a locator; on timeout, fails with the URL, the page's text and its errors. */
  const waitOrExplain = async (tab: Page, locator: ReturnType<Page['locator']>) => {
    try {
      await locator.waitFor();
    } catch (error) {
      await screenshot(tab, 'failure').catch(() => undefined);
      const text = await tab
        .locator('body')
        .textContent()
        .catch(() => '?');
      throw new Error(
        `${(error as Error).message}\nurl: ${tab.url()}\nbody: ${text}\nlog: ${pageLog.slice(-10).join('\n')}`,
      );
    }
  };

  /** A fresh tab signed in with `key` (sessionStorage is per tab, as in real use). */
  const signedInPage = async (key: string): Promise<Page> => {
    const tab = await context.newPage();
    watch(tab);
    await tab.goto(`${tracker.baseUrl}/sign-in`);
    await tab.getByLabel('API key').fill(key);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('navigation').waitFor();
    return tab;
  };

  /** Client-side navigation through the menu (no reload). */
  const nav = (tab: Page, name: string) =>
    tab.getByRole('navigation').getByRole('link', { name, exact: true }).click();

  beforeAll(async () => {
    buildConsole();
    browser = await launchChromium();
    tracker = await startTestApp({ name: 'console', features: TRACKER_FEATURES });
    context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    watch(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await tracker?.close();
  });

  it('walks the seed journey: account, PocketOption, links, test registration, logs, funnel, Russian', async () => {
    // The operator creates the account on the admin screen; the key is shown once.
    await page.goto(`${tracker.baseUrl}/admin`);
    await page.getByLabel('Admin token').fill(tracker.config.adminToken);
    await page.getByLabel('Account name').fill('Seed team');
    await page.getByRole('button', { name: 'Create account' }).click();
    seed.apiKey = (await page.getByTestId('new-api-key').textContent()) ?? '';
    expect(seed.apiKey).toMatch(/^trk_/);
    await page.getByLabel('I saved the key').check();
    await page.getByRole('button', { name: 'Continue with this key' }).click();
    await page.getByRole('heading', { name: 'Start' }).waitFor();
    expect(page.url()).not.toContain(seed.apiKey);

    // Sign out and in again with the key, as the marketer will next time.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').fill('trk_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This key is not valid').waitFor();
    await page.getByLabel('API key').fill(seed.apiKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Start' }).waitFor();

    // Tracker → Integrations → PocketOption RevShare → Configure, click id parameter click_id.
    await nav(page, 'Integrations');
    await page
      .getByRole('button', { name: 'Configure: PocketOption RevShare', exact: true })
      .click();
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}$/);
    seed.integrationId = page.url().split('/').at(-1)!;
    await page.getByRole('button', { name: 'click_id', exact: true }).click();
    await expect(page.getByLabel('Click ID parameter').inputValue()).resolves.toBe('click_id');

    // The three postback URLs exactly as SPEC section 4 builds them.
    const base = `${tracker.config.publicBaseUrl}/api/postbacks/${seed.integrationId}/tracker-postback`;
    const urls: Record<string, string> = {};
    for (const event of ['registration', 'conf', 'resale']) {
      urls[event] = (await page.getByTestId(`postback-url-${event}`).textContent()) ?? '';
    }
    expect(urls).toEqual({
      registration: `${base}?tracker.event=registration`,
      conf: `${base}?tracker.event=conf`,
      resale: `${base}?tracker.event=resale&currency=usd`,
    });

    // The partner link pasted into Registration links gives the final link.
    await page.getByLabel('Link name').fill('Main');
    await page.getByLabel('Partner link').fill(SEED_LINK);
    await page.getByRole('button', { name: 'Add registration link' }).click();
    await expect(page.getByTestId('final-url').textContent()).resolves.toBe(
      `${SEED_LINK}&click_id={{tracker.clickid}}`,
    );

    // Test registration: a fresh click for that link.
    await page.getByRole('link', { name: 'Make a test registration →' }).click();
    await page.getByRole('button', { name: 'Create test click' }).click();
    seed.clickId = (await page.getByTestId('test-click-id').textContent()) ?? '';
    expect(seed.clickId).toMatch(/^[0-9A-Za-z]{10,16}$/);
    await expect(page.getByTestId('test-click-url').textContent()).resolves.toBe(
      `${SEED_LINK}&click_id=${seed.clickId}`,
    );

    // Start: each event waits for its first postback.
    await nav(page, 'Start');
    const step = (event: string) => page.getByTestId(`step-${seed.integrationId}-${event}`);
    await expect(step('registration').getAttribute('data-state')).resolves.toBe('waiting');
    await expect(step('registration').textContent()).resolves.toContain(
      'waiting for the first “registration” postback',
    );

    // Postback logs open before anything arrives; the page must show new ones without reload.
    await nav(page, 'Postback logs');
    await page.getByText('No postback arrived yet').waitFor();
    await page.evaluate('window.__sameDocument = true');
    await partnerCalls(urls.registration, `click_id=${seed.clickId}&trader_id=T-1`);
    await partnerCalls(urls.conf, `click_id=${seed.clickId}`);
    await partnerCalls(urls.resale, `click_id=${seed.clickId}&sumdep=50.00`);
    seed.brokenPostbackId = await partnerCalls(urls.registration, 'click_id={click_id}');

    const rows = page.getByTestId('log-row');
    await eventually(
      async () => {
        const states = await rows.evaluateAll((elements) =>
          elements.map((e) => `${e.getAttribute('data-event')}:${e.getAttribute('data-status')}`),
        );
        expect(states.sort()).toEqual([
          'conf:attributed',
          'registration:attributed',
          'registration:rejected',
          'resale:attributed',
        ]);
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await expect(
      page.locator('[data-status="attributed"][data-event="resale"]').textContent(),
    ).resolves.toContain('50.00 USD');

    // The broken one explains itself in the chosen language.
    await page
      .locator('[data-status="rejected"]')
      .getByRole('button', { name: /Details/ })
      .click();
    const explanation = page.getByTestId('explanation-text');
    await expect(explanation.textContent()).resolves.toMatch(/click id|macro/i);
    await expect(page.getByTestId('raw-url').textContent()).resolves.toContain(
      'click_id={click_id}',
    );
    expect(page.url()).toContain(`open=${seed.brokenPostbackId}`);

    // Start and the test registration's checklist turned to attributed, live.
    await page.getByRole('button', { name: 'Close' }).click();
    await nav(page, 'Start');
    for (const event of ['registration', 'conf', 'resale']) {
      await eventually(async () =>
        expect(await step(event).getAttribute('data-state')).toBe('attributed'),
      );
    }
    await page.goto(
      `${tracker.baseUrl}/test-registration?integrationId=${seed.integrationId}&clickId=${seed.clickId}`,
    );
    for (const event of ['registration', 'conf', 'resale']) {
      await eventually(async () =>
        expect(await page.getByTestId(`check-${event}`).getAttribute('data-state')).toBe(
          'attributed',
        ),
      );
    }

    // The funnel: one click, one registration, one first deposit.
    await nav(page, 'Funnel');
    const total = page.getByTestId('funnel-row').first();
    await eventually(async () => {
      expect(await total.getByTestId('clicks').textContent()).toBe('1');
      expect(await total.getByTestId('registrations').textContent()).toBe('1');
      expect(await total.getByTestId('firstDeposits').textContent()).toBe('1');
    });

    // Switch to Russian: the page, and the explanation, speak Russian; the choice is remembered.
    await page.getByTestId('language').selectOption('ru');
    await page.getByRole('heading', { name: 'Воронка' }).waitFor();
    await page.goto(`${tracker.baseUrl}/logs?open=${seed.brokenPostbackId}`);
    await page.getByRole('heading', { name: 'Логи постбэков' }).waitFor();
    await expect(page.getByTestId('explanation-text').textContent()).resolves.toMatch(/[а-яё]{4}/i);
    await screenshot(page, 'logs-drawer-ru');
    await page.getByTestId('language').selectOption('en');

    // The key stayed in the tab's sessionStorage: in no URL the browser asked for.
    expect(requested.length).toBeGreaterThan(20);
    expect(requested.filter((url) => url.includes(seed.apiKey))).toEqual([]);
  });

  it('shows what partners and visitors sent as text only: no markup, no script, no live link', async () => {
    const answer = await api<Integration>('GET', `/api/integrations/${seed.integrationId}`, {
      key: seed.apiKey,
    });
    expect(answer.status).toBeLessThan(300);
    const registration = answer.body.events.find((e) => e.name === 'registration')!;
    const url = new URL(registration.postbackUrl);
    const response = await fetch(
      `${tracker.baseUrl}${url.pathname}${url.search}&click_id=${seed.clickId}&img=${encodeURIComponent(HOSTILE.img)}&back=${encodeURIComponent(HOSTILE.js)}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `${HOSTILE.script} ${HOSTILE.img}`,
        },
        body: JSON.stringify({ note: HOSTILE.script, link: HOSTILE.js }),
      },
    );
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: string };
    const before = dialogs.length;

    await page.goto(`${tracker.baseUrl}/logs?open=${id}`);
    const drawer = page.getByTestId('drawer');
    // The raw request as it came (percent-encoded); the parameters decoded, as text.
    await eventually(async () =>
      expect(await drawer.getByTestId('raw-url').textContent()).toContain('img=%3Cimg'),
    );
    const row = page.getByTestId('log-row').first();
    await row.waitFor();
    // The hostile strings are on screen as text…
    await expect(drawer.getByText(HOSTILE.img, { exact: true }).count()).resolves.toBeGreaterThan(
      0,
    );
    await expect(drawer.getByText(HOSTILE.js, { exact: true }).count()).resolves.toBeGreaterThan(0);
    const body = await drawer
      .getByTestId('raw-body')
      .textContent()
      .catch(() => null);
    if (body !== null) expect(body).toContain(HOSTILE.script);
    const agent = await drawer.getByTestId('user-agent').textContent();
    if (agent !== '—') expect(agent).toContain(HOSTILE.script);
    await screenshot(page, 'logs-hostile-input');

    // …and the click journey shows them the same way.
    await page.goto(`${tracker.baseUrl}/clicks/${seed.clickId}`);
    const timeline = page.getByTestId('timeline');
    await eventually(async () => expect(await timeline.textContent()).toContain(HOSTILE.img));
    await screenshot(page, 'click-journey-hostile-input');

    // Nothing became markup: no injected element, no script ran, no javascript: link.
    for (const tab of [page]) {
      expect(await tab.locator('img[src="x"]').count()).toBe(0);
      expect(await tab.locator('script:not([src])').count()).toBe(0);
      expect(await tab.locator('a[href^="javascript:"]').count()).toBe(0);
    }
    await page.goto(`${tracker.baseUrl}/logs?open=${id}`);
    await page.getByTestId('raw-url').waitFor();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(dialogs.slice(before)).toEqual([]);
  });

  it("answers 404 for another account's ids in the URL, leaking nothing", async () => {
    const other = await createAccount('Other team');
    const tab = await signedInPage(other.apiKey);
    const visits: Array<[string, string]> = [
      ['integration', `/integrations/${seed.integrationId}`],
      ['log item', `/logs?open=${seed.brokenPostbackId}`],
      ['click journey', `/clicks/${seed.clickId}`],
      ['test registration', `/test-registration?integrationId=${seed.integrationId}`],
      ['registration links', `/links?integrationId=${seed.integrationId}`],
    ];
    for (const [, route] of visits) {
      await tab.goto(`${tracker.baseUrl}${route}`);
      await waitOrExplain(tab, tab.getByTestId('not-found'));
      const text = (await tab.locator('main').textContent()) ?? '';
      expect(text).not.toContain('Seed team');
      expect(text).not.toContain('PocketOption');
      expect(text).not.toContain(seed.clickId.repeat(1) + ' ');
    }
    await tab.goto(`${tracker.baseUrl}/logs`);
    await tab.getByText('No postback arrived yet').waitFor();
    await tab.close();
  });

  it("shows the API's message next to the field it names, and a clear state when the API is down", async () => {
    const tab = await signedInPage(seed.apiKey);
    await tab.goto(`${tracker.baseUrl}/integrations/${seed.integrationId}`);
    await tab.getByLabel('Link name').fill('Broken');
    await tab.getByLabel('Partner link').fill('ftp://pocketcustomer.com/register');
    await tab.getByRole('button', { name: 'Add registration link' }).click();
    const fieldError = tab.locator(`#link-base-error-${seed.integrationId}`);
    await waitOrExplain(tab, fieldError);
    expect(await fieldError.textContent()).toContain('baseUrl');
    await expect(tab.getByLabel('Partner link').getAttribute('aria-invalid')).resolves.toBe('true');

    // The API goes away: every page says so instead of going blank.
    await tab.route('**/api/**', (route) => route.abort('connectionrefused'));
    await tab.goto(`${tracker.baseUrl}/logs`);
    await waitOrExplain(tab, tab.getByText('The tracker API is not answering.'));
    await tab.getByRole('heading', { name: 'Postback logs' }).waitFor();
    await screenshot(tab, 'api-down');
    await tab.unroute('**/api/**');
    await tab.close();
  });

  it('passes axe on every page and saves a screenshot of each', async () => {
    const tab = await signedInPage(seed.apiKey);
    const pages: Array<[string, string]> = [
      ['start', '/'],
      ['integrations', '/integrations'],
      ['integration', `/integrations/${seed.integrationId}`],
      ['registration-links', `/links?integrationId=${seed.integrationId}`],
      [
        'test-registration',
        `/test-registration?integrationId=${seed.integrationId}&clickId=${seed.clickId}`,
      ],
      ['postback-logs', '/logs'],
      ['postback-logs-drawer', `/logs?open=${seed.brokenPostbackId}`],
      ['conversions', '/conversions'],
      ['funnel', '/funnel?groupBy=day'],
      ['click-journey', `/clicks/${seed.clickId}`],
      ['settings', '/settings'],
    ];
    const failures: string[] = [];
    const saved: string[] = [];
    const visit = async (tabToUse: Page, name: string, route: string) => {
      await tabToUse.goto(`${tracker.baseUrl}${route}`);
      await waitOrExplain(tabToUse, tabToUse.locator('main h1').first());
      await eventually(async () => expect(await tabToUse.locator('.loading').count()).toBe(0));
      for (const violation of await seriousViolations(tabToUse)) {
        failures.push(
          `${name}: ${violation.id} (${violation.impact}) ${violation.help} at ${JSON.stringify(violation.nodes.map((n) => n.target))}`,
        );
      }
      saved.push(path.relative(process.cwd(), await screenshot(tabToUse, name)));
    };
    for (const [name, route] of pages) await visit(tab, name, route);
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await visit(tab, 'sign-in', '/sign-in');
    await visit(tab, 'admin', '/admin');
    await tab.close();
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'screenshots.txt'), `${saved.join('\n')}\n`);
    expect(failures).toEqual([]);
  });

  it('keeps the first load under 300 KiB of gzipped JavaScript, behind a strict CSP', async () => {
    const tab = await context.newPage();
    const scripts: Array<Promise<number>> = [];
    tab.on('response', (response) => {
      if (response.request().resourceType() === 'script') {
        scripts.push(response.body().then((body) => gzipSync(body).length));
      }
    });
    const response = await tab.goto(`${tracker.baseUrl}/sign-in`);
    await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
    const sizes = await Promise.all(scripts);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(
      path.join(ARTIFACTS, 'first-load.txt'),
      `first load of /sign-in: ${sizes.length} scripts, ${total} bytes gzipped (${(total / 1024).toFixed(1)} KiB)\n`,
    );
    expect(total).toBeGreaterThan(10_000);
    expect(total).toBeLessThan(FIRST_LOAD_BUDGET);

    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // An inline script is refused by the browser itself.
    const violations: string[] = [];
    tab.on('console', (message) => violations.push(message.text()));
    await tab.evaluate(
      `(() => { const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.appendChild(s); })()`,
    );
    expect(await tab.evaluate('window.__inline')).toBeUndefined();
    await tab.close();
  });

  it('never shadows the API, operations and docs paths; client paths reload into the console', async () => {
    for (const route of [
      '/api/integrations',
      '/health/live',
      '/metrics',
      '/docs-json',
      '/r/unknown-link',
    ]) {
      const response = await fetch(`${tracker.baseUrl}${route}`, { redirect: 'manual' });
      expect(`${route} ${response.headers.get('content-type')}`).not.toContain(
        'text/html; charset=utf-8',
      );
    }
    const deep = await fetch(`${tracker.baseUrl}/integrations/${seed.integrationId}`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get('content-type')).toContain('text/html');
    expect(deep.headers.get('content-security-policy')).toContain("default-src 'none'");
    const asset = (await deep.text()).match(/src="(\/assets\/[^"]+\.js)"/)![1];
    const js = await fetch(`${tracker.baseUrl}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });
});
