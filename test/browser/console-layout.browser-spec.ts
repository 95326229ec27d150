/**
 * The console as a new marketer sees it, in English and Russian, on a laptop (1366×768) and a
 * phone (390×844), against the whole tracker (real Kafka and PostgreSQL): partner data with
 * 3,000-character values never widens a page, the funnel table's columns stay reachable, no
 * English UI word is left on a Russian page, template event labels speak the chosen language,
 * the API's refusals read in Russian with the server's words kept, a table writes a day as the
 * browser's date picker shows it, and an unknown path shows the console's not-found page with a
 * 404. Screenshots of every page go to artifacts/console/layout-<lang>-<width>-<page>.png.
 */
import type { Browser, Page } from 'playwright-core';
import { apiClient, eventually, HttpReceiver, TestApp } from '@tracker/testing';
import {
  datePickerText,
  openPage,
  screenshot,
  startConsoleStack,
  signedInTab,
  succeeding,
} from './console-browser';

/** What a partner may send: one value of 3,000 characters without a space (SPEC 9 keeps 16 KiB). */
const LONG = `L${'0123456789abcdefghij'.repeat(150)}`.slice(0, 3000);
const VIEWPORTS = [
  { name: '1366', width: 1366, height: 768 },
  { name: '390', width: 390, height: 844 },
] as const;
/**
 * English words of the console's own texts that a Russian page must not show. Partner data
 * (parameter names, integration names, URLs) is exempt: it is matched in a page's text with
 * data removed (code, pre, inputs, the chart's numbers).
 */
const ENGLISH_UI_WORDS = [
  'Time',
  'Registration',
  'Email confirmation',
  'First deposit',
  'Deposit',
  'Withdrawal',
  'Commission',
  'Details',
  'Close',
  'Copy',
  'Loading',
  'Delete',
  'Save',
  'Sign out',
  'Status',
  'Event',
  'Clicks',
  'Funnel',
  'Settings',
  'Page not found',
  'Show all',
];

const OVERFLOW_PROBE = `(() => {
  const describe = (e) =>
    e.tagName.toLowerCase() +
    (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ').join('.') : '') +
    (e.getAttribute('data-testid') ? '[' + e.getAttribute('data-testid') + ']' : '');
  const widest = (root, limit) => {
    const out = (e) => e.getBoundingClientRect().right > limit + 1;
    return [...root.querySelectorAll('*')]
      .filter((e) => out(e) && ![...e.children].some(out))
      .slice(0, 3)
      .map((e) => [e.parentElement && e.parentElement.parentElement, e.parentElement, e]
        .filter(Boolean).map(describe).join(' > '))
      .join(' | ');
  };
  const found = [];
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    found.push('page ' + page.scrollWidth + ' > ' + page.clientWidth + ': ' + widest(document.body, page.clientWidth));
  }
  for (const element of document.querySelectorAll('body *')) {
    if (element.closest('.table-wrap')) continue;
    if (!['auto', 'scroll'].includes(getComputedStyle(element).overflowX)) continue;
    if (element.scrollWidth > element.clientWidth + 1) {
      const limit = element.getBoundingClientRect().right;
      found.push(describe(element) + ' ' + element.scrollWidth + ' > ' + element.clientWidth + ': ' + widest(element, limit));
    }
  }
  return found;
})()`;

const WIDE_CELLS_PROBE = `(max) =>
  [...document.querySelectorAll('main .table-wrap td, main .table-wrap th')]
    .filter((cell) => cell.getBoundingClientRect().width > max)
    .map((cell) => cell.textContent.slice(0, 30) + '… ' + Math.round(cell.getBoundingClientRect().width) + 'px')`;

/** The page's text without partner data, the API's English error texts and the chart's numbers. */
const UI_TEXT_PROBE = `(() => {
  const copy = document.body.cloneNode(true);
  for (const data of copy.querySelectorAll(
    'code, pre, .mono, input, textarea, select, option, [data-partner], [lang="en"], .brand, .u-axis, title',
  )) data.remove();
  return copy.innerText;
})()`;

interface Integration {
  id: string;
  events: Array<{ name: string; postbackUrl: string }>;
}

describe('console layout and language (Chromium, 1366 and 390 px, en and ru)', () => {
  let tracker: TestApp;
  let receiver: HttpReceiver;
  let browser: Browser;
  let apiKey = '';
  let integration: Integration;
  let clickId = '';
  let longLogId = '';
  let deliveryId = '';

  const call = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );
  /** A call that must succeed (2xx): its body. */
  const api = succeeding(call);

  /** The partner calls the URL it was given with its own parameters appended. */
  const partnerCalls = async (event: string, extra: string) => {
    const url = new URL(integration.events.find((e) => e.name === event)!.postbackUrl);
    const response = await fetch(`${tracker.baseUrl}${url.pathname}${url.search}&${extra}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  };

  /** A tab of its own context (own sessionStorage and preferences), signed in, in `language`. */
  const tabIn = (language: 'en' | 'ru', width: number, height: number): Promise<Page> =>
    signedInTab(browser, tracker.baseUrl, apiKey, language, { width, height });

  /** Opens a page and waits until nothing is loading. */
  const open = (tab: Page, route: string) => openPage(tab, tracker.baseUrl, route);

  /**
   * What sticks out sideways: the page itself, or a scrolling box other than a table's own
   * scroller (the drawer, a panel), each named with the innermost elements that stick out.
   * (Browser-side code as text: the test's TypeScript has no DOM types.)
   */
  const overflow = (tab: Page) => tab.evaluate(OVERFLOW_PROBE) as Promise<string[]>;

  /** Cells of a listing (a table in its scroller) wider than `limit` px: a long value must be cut. */
  const wideCells = (tab: Page, limit: number) =>
    tab.evaluate(`(${WIDE_CELLS_PROBE})(${limit})`) as Promise<string[]>;

  /** The page's own words: everything but partner data (code, pre, inputs) and the brand. */
  const uiText = (tab: Page) => tab.evaluate(UI_TEXT_PROBE) as Promise<string>;

  beforeAll(async () => {
    ({ browser, receiver, tracker, apiKey, integration } = await startConsoleStack(
      'console-layout',
      'New marketer',
    ));
    // A custom event with the user's own label, kept as typed in every language.
    await api('POST', `/api/integrations/${integration.id}/events`, {
      body: { name: 'ftd', kind: 'first_deposit', label: 'My FTD label' },
    });
    integration = await api<Integration>('GET', `/api/integrations/${integration.id}`);
    await api('POST', `/api/integrations/${integration.id}/registration-links`, {
      body: {
        name: 'Main',
        // A partner link as long as SPEC allows (2,048 characters).
        baseUrl: `https://pocketcustomer.com/register?code=${LONG.slice(0, 1990)}`,
      },
    });
    await api('POST', '/api/destinations', {
      body: {
        name: 'S2S',
        integrationId: integration.id,
        stages: ['registration', 'first_deposit'],
        method: 'GET',
        url: `${receiver.baseUrl}/s2s?subid={clickid}&trader={fields.trader_id}`,
        headers: {},
      },
    });
    receiver.script('/s2s', [{ status: 200, body: LONG }]);
    clickId = (
      await api<{ clickId: string }>('POST', '/api/clicks', {
        body: {
          integrationId: integration.id,
          // As long as the click API takes them.
          campaign: LONG.slice(0, 1000),
          source: LONG.slice(0, 1000),
          params: { sub5: LONG.slice(0, 1000) },
        },
      })
    ).clickId;
    longLogId = await partnerCalls(
      'registration',
      `click_id=${clickId}&trader_id=${LONG}&note=${LONG}`,
    );
    await partnerCalls('resale', `click_id=${clickId}&sumdep=50.00&tid=${LONG}`);
    // A click id no tracker made, as long as a partner may send it.
    await partnerCalls('conf', `click_id=${LONG}`);
    await eventually(
      async () => {
        const logs = await api<{ items: Array<{ status: string }> }>('GET', '/api/postback-logs');
        expect(logs.items.filter((i) => i.status !== 'received')).toHaveLength(3);
        const deliveries = await api<{ items: Array<{ id: string; status: string }> }>(
          'GET',
          '/api/deliveries',
        );
        expect(deliveries.items.map((d) => d.status)).toContain('delivered');
        deliveryId = deliveries.items[0].id;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await tracker?.close();
  });

  const pages = () =>
    [
      ['start', '/'],
      ['integrations', '/integrations'],
      ['integration', `/integrations/${integration.id}`],
      ['links', `/links?integrationId=${integration.id}`],
      [
        'test-registration',
        `/test-registration?integrationId=${integration.id}&clickId=${clickId}`,
      ],
      ['logs', '/logs'],
      ['logs-drawer', `/logs?open=${longLogId}`],
      ['conversions', '/conversions'],
      ['funnel', '/funnel?groupBy=day'],
      ['click-journey', `/clicks/${clickId}`],
      ['destinations', '/destinations'],
      ['deliveries', '/deliveries'],
      ['deliveries-drawer', `/deliveries?open=${deliveryId}`],
      ['settings', '/settings'],
    ] as Array<[string, string]>;

  it.each(VIEWPORTS)(
    'keeps every page within a $name px wide window, long partner values truncated',
    async ({ name, width, height }) => {
      for (const language of ['en', 'ru'] as const) {
        const tab = await tabIn(language, width, height);
        const found: string[] = [];
        for (const [page, route] of pages()) {
          await open(tab, route);
          await screenshot(tab, `layout-${language}-${name}-${page}`);
          for (const problem of await overflow(tab)) found.push(`${language} ${page}: ${problem}`);
          if (width >= 1024) {
            for (const cell of await wideCells(tab, 480))
              found.push(`${language} ${page}: ${cell}`);
          }
        }
        await tab.context().close();
        expect(found).toEqual([]);
      }
    },
    300_000,
  );

  it('gives the full text of a truncated value on hover and on demand', async () => {
    const tab = await tabIn('en', 1366, 768);
    await open(tab, `/clicks/${clickId}`);
    // The trader_id field the partner sent: 3,000 characters, cut on screen, whole in the page.
    const value = tab.locator(`[data-testid="long-text"][title="${LONG}"]`).first();
    await expect(value.textContent()).resolves.toBe(LONG);
    const width = (await value.boundingBox())!.width;
    expect(width).toBeLessThan(480);
    const toggle = value.locator('xpath=..').getByRole('button');
    await expect(toggle.textContent()).resolves.toBe('Show all');
    await toggle.click();
    await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
    await expect(toggle.textContent()).resolves.toBe('Show less');
    expect((await value.boundingBox())!.height).toBeGreaterThan(100);
    expect(await overflow(tab)).toEqual([]);
    await tab.context().close();
  });

  it('scrolls the funnel table inside its box at 1366 px, the key column staying in view', async () => {
    const tab = await tabIn('ru', 1366, 768);
    await open(tab, '/funnel?groupBy=day');
    const wrap = tab.locator('.table-wrap').filter({ has: tab.getByTestId('funnel-table') });
    await wrap.evaluate((element) => {
      element.scrollLeft = element.scrollWidth;
    });
    const box = await wrap.boundingBox();
    const last = await tab.getByTestId('funnel-table').locator('thead th').last().boundingBox();
    const key = await tab.getByTestId('funnel-row').first().locator('th').boundingBox();
    // The last column can be reached, and the key column is still where it was.
    expect(last!.x + last!.width).toBeLessThanOrEqual(box!.x + box!.width + 1);
    expect(last!.x + last!.width).toBeLessThanOrEqual(1366);
    expect(key!.x).toBeGreaterThanOrEqual(box!.x - 1);
    expect(await overflow(tab)).toEqual([]);
    await tab.context().close();
  });

  it('shows every log row whole at 1366 px, its Details button in view, a long click id cut', async () => {
    const tab = await tabIn('ru', 1366, 768);
    await open(tab, '/logs');
    const wrap = tab.locator('.table-wrap').filter({ has: tab.getByTestId('log-table') });
    const box = (await wrap.boundingBox())!;
    const rows = tab.getByTestId('log-row');
    await eventually(async () => expect(await rows.count()).toBe(3));
    for (const row of await rows.all()) {
      const button = (await row.getByRole('button').last().boundingBox())!;
      expect(button.x + button.width).toBeLessThanOrEqual(box.x + box.width);
      expect((await row.boundingBox())!.height).toBeLessThan(120);
    }
    await tab.context().close();
  });

  it('leaves no English UI word on a Russian page, the chart legend included', async () => {
    const tab = await tabIn('ru', 1366, 768);
    const found: string[] = [];
    for (const [page, route] of [...pages(), ['not-found', '/nonexistent'] as [string, string]]) {
      await open(tab, route);
      if (page === 'funnel') await tab.locator('.u-legend').waitFor();
      const text = await uiText(tab);
      for (const word of ENGLISH_UI_WORDS) {
        if (new RegExp(`(^|[^A-Za-z])${word}([^A-Za-z]|$)`).test(text))
          found.push(`${page}: ${word}`);
      }
    }
    await tab.context().close();
    expect(found).toEqual([]);
  });

  it("shows the template's event labels in Russian and a user's own label as typed", async () => {
    const tab = await tabIn('ru', 1366, 768);
    await open(tab, `/integrations/${integration.id}`);
    const main = (await tab.locator('main').innerText()) ?? '';
    expect(main).toContain('Регистрация');
    expect(main).toContain('Подтверждение email');
    expect(main).toContain('My FTD label');
    expect(main).not.toMatch(/(^|[^A-Za-z])(Registration|Email confirmation|Deposit)([^A-Za-z]|$)/);
    await tab.context().close();
  });

  it("says the API's refusals in Russian, naming the field, the server's own words kept below", async () => {
    // What the API answers the settings form's empty name, asked directly.
    const refused = await call<{ message: string; field?: string }>(
      'PATCH',
      `/api/integrations/${integration.id}`,
      { body: { name: '' } },
    );
    const answer = refused.body;
    expect(`${refused.status} ${answer.field}`).toBe('400 name');

    const tab = await tabIn('ru', 1366, 768);
    await open(tab, `/integrations/${integration.id}`);
    const settings = tab.locator('form[aria-labelledby="settings-title"]');
    await settings.getByLabel('Название', { exact: true }).fill('');
    await settings.getByRole('button', { name: 'Сохранить' }).click();
    const nameError = tab.locator('#integration-name-error');
    await nameError.waitFor();
    const detail = nameError.getByTestId('error-detail');
    await expect(detail.textContent()).resolves.toBe(answer.message);
    await expect(detail.getAttribute('lang')).resolves.toBe('en');
    await expect(nameError.innerText()).resolves.toBe(
      `Проверьте поле «Название»: трекер не принял это значение.\n${answer.message}`,
    );
    await expect(
      settings.getByLabel('Название', { exact: true }).getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    await screenshot(tab, 'error-ru-field');

    // A 409 names no field: it reads at the form's foot, the server's words below.
    const events = tab.locator('form[aria-labelledby="add-event-title"]');
    await events.getByLabel('Имя события (tracker.event)').fill('registration');
    await events.getByRole('button', { name: 'Добавить событие' }).click();
    const conflict = events.getByRole('alert');
    await conflict.waitFor();
    await expect(conflict.innerText()).resolves.toMatch(
      /^Конфликт: такое уже есть или его только что изменили\. Обновите страницу и попробуйте снова\.\n.*registration.*already exists/,
    );
    // Nothing else on the page is left in English.
    expect(await uiText(tab)).not.toContain(answer.message);
    await tab.context().close();

    // In English the server's message is shown as it is, with nothing added.
    const english = await tabIn('en', 1366, 768);
    await open(english, `/integrations/${integration.id}`);
    const form = english.locator('form[aria-labelledby="settings-title"]');
    await form.getByLabel('Name', { exact: true }).fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await english.locator('#integration-name-error').waitFor();
    await expect(english.locator('#integration-name-error').innerText()).resolves.toBe(
      answer.message,
    );
    await english.context().close();
    const unchanged = await api<{ name: string }>('GET', `/api/integrations/${integration.id}`);
    expect(unchanged.name).toBe('PocketOption RevShare');
  });

  it("writes a day in the tables the way the browser's own date picker shows it", async () => {
    // This Chromium's pickers speak its UI locale (en-US); the English console follows it.
    const tab = await tabIn('en', 1366, 768);
    await open(tab, '/logs');
    const time = tab.getByTestId('log-row').first().locator('time').first();
    await time.waitFor();
    const day = ((await time.getAttribute('datetime')) ?? '').slice(0, 10);
    await tab.getByLabel('From', { exact: true }).fill(day);
    await eventually(async () => expect(tab.url()).toContain(`from=${day}`));
    // The accessibility tree catches up with the typed value after a frame or two.
    const [year, month, date] = day.split('-');
    let picker = '';
    await eventually(async () => {
      picker = await datePickerText(tab, 'From');
      expect(`picker ${picker.replace(/\D/g, '')}`).toBe(`picker ${month}${date}${year}`);
    });
    const [written, clock] = ((await time.textContent()) ?? '').split(', ');
    expect(written).toBe(picker);
    expect(clock).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    await tab.context().close();
  });

  it('answers an unknown path with the console and its not-found page (HTTP 404)', async () => {
    for (const route of ['/nonexistent', '/integrations-old/x', '/logs/extra']) {
      const response = await fetch(`${tracker.baseUrl}${route}`);
      expect(`${route} ${response.status} ${response.headers.get('content-type')}`).toBe(
        `${route} 404 text/html; charset=utf-8`,
      );
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    // The API's and operations' own 404s stay JSON.
    for (const route of ['/api/nonexistent', '/r', '/health/nonexistent', '/metrics/x']) {
      const response = await fetch(`${tracker.baseUrl}${route}`);
      expect(`${route} ${response.status}`).toBe(`${route} 404`);
      expect(response.headers.get('content-type')).toContain('application/json');
    }
    for (const language of ['en', 'ru'] as const) {
      const tab = await tabIn(language, 390, 844);
      const response = await tab.goto(`${tracker.baseUrl}/nonexistent`);
      expect(response?.status()).toBe(404);
      await tab.getByTestId('not-found').waitFor();
      await screenshot(tab, `layout-${language}-390-not-found`);
      // On a phone a short page starts right under the menu (its last link), not at the bottom.
      const menu = (await tab.locator('nav.side .docs-link').boundingBox())!;
      const main = (await tab.locator('main h1').boundingBox())!;
      expect(main.y - (menu.y + menu.height)).toBeLessThan(60);
      await tab.getByTestId('not-found-home').click();
      await tab.waitForURL(`${tracker.baseUrl}/`);
      await tab.context().close();
    }
  });
});
