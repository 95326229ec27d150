/**
 * What a new marketer's first use of the console found, in a real browser at 1366×768 against
 * the whole tracker (real Kafka and PostgreSQL): the start page says what went wrong and which
 * button on which page fixes it, copy fields show an underscore whole, deleting a registration
 * link and disabling an integration each ask first (disabling says postbacks meanwhile are
 * lost), destination names wrap between words, and the funnel table fits the window.
 */
import type { Browser, Page } from 'playwright-core';
import { apiClient, eventually, HttpReceiver, TestApp } from '@tracker/testing';
import {
  openPage,
  screenshot,
  startConsoleStack,
  type SpecIntegration,
  signedInTab,
  succeeding,
} from './console-browser';

const LAPTOP = { width: 1366, height: 768 };
/** Names as marketers write them: several words, one of them long. */
const DESTINATION_NAMES = [
  'Facebook Conversions API purchase optimisation',
  'Keitaro main campaign postback (registrations)',
];

/**
 * Per copy field on the page: how many pixels the ink of an underscore on its last visible line
 * would lie below the field's clipping edge (> 0: the underscore is cut, `click_id` reads
 * `click id`). The baseline is the line's text box bottom less the font's descent; the ink is
 * the font's own underscore, measured on a canvas in the field's font.
 * (Browser-side code as text: the test's TypeScript has no DOM types.)
 */
const UNDERSCORE_PROBE = `[...document.querySelectorAll('.copy-field code')].map((code) => {
  const style = getComputedStyle(code);
  const canvas = document.createElement('canvas').getContext('2d');
  canvas.font = style.font;
  const underscore = canvas.measureText('_');
  const clipBottom = code.getBoundingClientRect().bottom - parseFloat(style.borderBottomWidth);
  const range = document.createRange();
  range.selectNodeContents(code);
  const shown = [...range.getClientRects()].filter((line) => line.top < clipBottom - 1);
  const last = shown[shown.length - 1];
  const baseline = last.bottom - underscore.fontBoundingBoxDescent;
  return (code.getAttribute('data-testid') || 'copy') + ' ' +
    Math.max(0, Math.ceil(baseline + underscore.actualBoundingBoxDescent - clipBottom));
})`;

/**
 * Words of the destinations table's name and integration cells that the browser split over two
 * lines (a word's text giving more than one line box).
 */
const SPLIT_WORDS_PROBE = `(() => {
  const split = [];
  let words = 0;
  for (const cell of document.querySelectorAll('[data-testid="destination-row"] td:nth-child(-n+2)')) {
    const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      const pattern = /\\S+/g;
      for (let match; (match = pattern.exec(text.data)); ) {
        words += 1;
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map((line) => Math.round(line.top)));
        if (tops.size > 1) split.push(match[0]);
      }
    }
  }
  return { words, split };
})()`;

interface Integration {
  id: string;
  name: string;
  enabled: boolean;
  events: Array<{ name: string; postbackUrl: string }>;
}

describe('a new marketer’s first use of the console (Chromium, 1366×768)', () => {
  let tracker: TestApp;
  let receiver: HttpReceiver;
  let browser: Browser;
  let apiKey = '';
  let integration: Integration;
  let clickId = '';

  const call = apiClient(
    () => tracker.baseUrl,
    () => apiKey,
  );
  /** A call that must succeed (2xx): its body. */
  const api = succeeding(call);

  /** The partner calls the URL it was given with its own parameters appended: the status. */
  const partnerCalls = async (event: string, extra: string) => {
    const url = new URL(integration.events.find((e) => e.name === event)!.postbackUrl);
    const response = await fetch(`${tracker.baseUrl}${url.pathname}${url.search}&${extra}`);
    return response.status;
  };

  /** A tab of its own context at 1366×768, signed in, in `language`. */
  const tabIn = (language: 'en' | 'ru'): Promise<Page> =>
    signedInTab(browser, tracker.baseUrl, apiKey, language, LAPTOP);

  /** Opens a page and waits until nothing is loading. */
  const open = (tab: Page, route: string) => openPage(tab, tracker.baseUrl, route);

  const links = async () =>
    (
      await api<{ items: Array<{ id: string }> }>(
        'GET',
        `/api/integrations/${integration.id}/registration-links`,
      )
    ).items;

  beforeAll(async () => {
    ({ browser, receiver, tracker, apiKey, integration } = await startConsoleStack(
      'console-first-use',
      'First use',
    ));
    for (const name of DESTINATION_NAMES) {
      await api('POST', '/api/destinations', {
        body: {
          name,
          integrationId: integration.id,
          stages: ['registration', 'first_deposit'],
          method: 'GET',
          url: `${receiver.baseUrl}/s2s?subid={clickid}`,
          headers: {},
        },
      });
    }
    clickId = (
      await api<{ clickId: string }>('POST', '/api/clicks', {
        body: { integrationId: integration.id, campaign: 'spring_sale' },
      })
    ).clickId;
    expect(await partnerCalls('registration', `click_id=${clickId}`)).toBe(200);
    expect(await partnerCalls('resale', `click_id=${clickId}&sumdep=12345.67`)).toBe(200);
    // The partner cabinet did not fill in its macro.
    expect(await partnerCalls('conf', 'click_id={click_id}')).toBe(200);
    await eventually(
      async () => {
        const logs = await api<{ items: Array<{ status: string }> }>('GET', '/api/postback-logs');
        expect(logs.items.map((i) => i.status).sort()).toEqual([
          'attributed',
          'attributed',
          'rejected',
        ]);
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await tracker?.close();
  });

  it('says on the start page what went wrong and links to the page whose button fixes it', async () => {
    for (const [language, copy, open_] of [
      ['en', '“Copy”', 'Open the integration page'],
      ['ru', '«Копировать»', 'Открыть страницу интеграции'],
    ] as const) {
      const tab = await tabIn(language);
      await open(tab, '/');
      const fix = tab.getByTestId('start-fix');
      await fix.waitFor();
      await expect(fix.getByTestId('fix-problem').textContent()).resolves.toMatch(/click id/);
      await expect(fix.getByTestId('fix-step').textContent()).resolves.toContain(copy);
      await screenshot(tab, `first-use-${language}-start-fix`);
      await fix.getByRole('link', { name: open_ }).click();
      await tab.waitForURL(`${tracker.baseUrl}/integrations/${integration.id}`);
      // The button the step names is there, next to the event's URL.
      await tab
        .getByRole('button', { name: language === 'en' ? 'Copy' : 'Копировать' })
        .first()
        .waitFor();
      await tab.context().close();
    }
  });

  it('shows an underscore whole on the last line of every copy field', async () => {
    await api('POST', `/api/integrations/${integration.id}/registration-links`, {
      body: { name: 'Main', baseUrl: 'https://pocketcustomer.com/register?utm_source=affiliate' },
    });
    const tab = await tabIn('en');
    const found: string[] = [];
    for (const route of [
      `/integrations/${integration.id}`,
      `/links?integrationId=${integration.id}`,
      `/test-registration?integrationId=${integration.id}&clickId=${clickId}`,
    ]) {
      await open(tab, route);
      await tab.locator('.copy-field').first().waitFor();
      const cut = (await tab.evaluate(UNDERSCORE_PROBE)) as string[];
      expect(cut.length).toBeGreaterThan(0);
      found.push(...cut.filter((field) => !field.endsWith(' 0')).map((f) => `${route}: ${f}`));
    }
    await screenshot(tab, 'first-use-en-copy-fields');
    await tab.context().close();
    expect(found).toEqual([]);
  });

  it('warns that postback URLs and tracking links on this computer’s address are out of a partner’s reach', async () => {
    // PUBLIC_BASE_URL unset: the test tracker hands out addresses on localhost, as a first
    // `npm start` does.
    expect(new URL(integration.events[0].postbackUrl).hostname).toBe('localhost');
    await api('POST', `/api/integrations/${integration.id}/registration-links`, {
      body: { name: 'Reach', baseUrl: 'https://pocketcustomer.com/register?code=REACH' },
    });
    const tab = await tabIn('en');
    await open(tab, `/integrations/${integration.id}`);
    const notices = tab.getByTestId('local-only-notice');
    await eventually(async () => expect(await notices.count()).toBe(2));
    const [postbacks, trackingLinks] = await notices.allTextContents();
    expect(postbacks).toContain('localhost');
    expect(postbacks).toContain('partner’s server cannot send postbacks');
    expect(postbacks).toContain('PUBLIC_BASE_URL');
    expect(trackingLinks).toContain('visitors from ads and bots cannot');
    await tab.context().close();

    const ru = await tabIn('ru');
    await open(ru, `/integrations/${integration.id}`);
    await ru.getByTestId('local-only-notice').first().waitFor();
    expect(await ru.getByTestId('local-only-notice').first().textContent()).toContain(
      'сервер партнёра не сможет',
    );
    await ru.context().close();
  });

  it('marks the key this tab is signed in with, and says revoking it signs out', async () => {
    const other = await api<{ apiKey: string }>('POST', '/api/api-keys', { body: {} });
    const tab = await tabIn('en');
    await open(tab, '/settings');
    const own = tab.getByTestId('own-key');
    await own.waitFor();
    expect(await own.count()).toBe(1);
    const ownRow = tab.locator('tr', { has: own });
    expect(await ownRow.textContent()).toContain(apiKey.slice(0, 8));
    expect(await ownRow.textContent()).not.toContain(other.apiKey.slice(0, 12));

    const questions: string[] = [];
    tab.on('dialog', (dialog) => {
      questions.push(dialog.message());
      void dialog.dismiss();
    });
    await ownRow.getByRole('button', { name: /Revoke/ }).click();
    const otherRow = tab.locator('tbody tr').filter({ hasNot: own }).first();
    await otherRow.getByRole('button', { name: /Revoke/ }).click();
    await eventually(async () => expect(questions).toHaveLength(2));
    expect(questions[0]).toContain('the key you are signed in with here');
    expect(questions[1]).not.toContain('signed in with');
    // Dismissed: both keys still work.
    expect((await call('GET', '/api/account')).status).toBe(200);
    expect((await call('GET', '/api/account', { key: other.apiKey })).status).toBe(200);
    await tab.context().close();
  });

  it('shows a click’s chargebacks next to its deposits, and the net', async () => {
    // An integration of its own: the funnel checks below see only the first one's money.
    const other = await api<SpecIntegration>('POST', '/api/integrations', {
      body: { template: 'pocket-option-revshare', name: 'Chargebacks' },
    });
    const charged = (
      await api<{ clickId: string }>('POST', '/api/clicks', {
        body: { integrationId: other.id, campaign: 'chargebacks' },
      })
    ).clickId;
    const resale = new URL(other.events.find((e) => e.name === 'resale')!.postbackUrl);
    const deposit = async (extra: string) =>
      (
        await fetch(
          `${tracker.baseUrl}${resale.pathname}${resale.search}&click_id=${charged}&${extra}`,
        )
      ).status;
    expect(await deposit('sumdep=40&tracker.tid=cb-1')).toBe(200);
    expect(await deposit('sumdep=60&tracker.tid=cb-2')).toBe(200);
    expect(await deposit('sumdep=40&tracker.tid=cb-1&status=chargeback')).toBe(200);
    await eventually(
      async () => {
        const journey = await api<{ totals: { reversals: number } }>(
          'GET',
          `/api/clicks/${charged}`,
        );
        expect(journey.totals.reversals).toBe(1);
      },
      { timeoutMs: 20_000 },
    );
    const tab = await tabIn('en');
    await open(tab, `/clicks/${charged}`);
    expect(await tab.getByTestId('click-reversals').textContent()).toBe('1 · 40 USD');
    expect(await tab.getByTestId('click-net').textContent()).toBe('60 USD');
    await tab.context().close();
  });

  it('warns on the test registration page which destinations a test click’s conversions reach', async () => {
    const tab = await tabIn('en');
    await open(tab, `/test-registration?integrationId=${integration.id}`);
    const notice = tab.getByTestId('live-destinations');
    await notice.waitFor();
    const text = await notice.textContent();
    for (const name of DESTINATION_NAMES) expect(text).toContain(`“${name}”`);
    expect(text).toContain('forwarded like real ones');
    await tab.context().close();
  });

  it('asks before deleting a registration link: cancel keeps it, confirm deletes it', async () => {
    const link = await api<{ id: string }>(
      'POST',
      `/api/integrations/${integration.id}/registration-links`,
      { body: { name: 'Old promo', baseUrl: 'https://pocketcustomer.com/register?code=OLD' } },
    );
    const tab = await tabIn('ru');
    await open(tab, `/links?integrationId=${integration.id}`);
    const card = tab.getByTestId(`link-${link.id}`);
    await card.getByRole('button', { name: 'Удалить: Old promo' }).click();
    const confirm = card.getByRole('group', { name: 'Удалить ссылку «Old promo»?' });
    await confirm.waitFor();
    await expect(confirm.textContent()).resolves.toContain('перестанет');
    await confirm.getByRole('button', { name: 'Отмена' }).click();
    await confirm.waitFor({ state: 'detached' });
    await card.getByRole('button', { name: 'Удалить: Old promo' }).waitFor();
    expect((await links()).map((l) => l.id)).toContain(link.id);

    await card.getByRole('button', { name: 'Удалить: Old promo' }).click();
    await confirm.getByRole('button', { name: 'Удалить навсегда' }).click();
    await card.waitFor({ state: 'detached' });
    expect((await links()).map((l) => l.id)).not.toContain(link.id);
    await tab.context().close();
  });

  it('asks before disabling an integration, saying postbacks meanwhile are refused and lost', async () => {
    const readState = async () =>
      (await api<Integration>('GET', `/api/integrations/${integration.id}`)).enabled;
    for (const language of ['en', 'ru'] as const) {
      const words =
        language === 'en'
          ? { disable: 'Disable', cancel: 'Cancel', yes: 'Disable anyway', text: /404.*lost/ }
          : {
              disable: 'Выключить',
              cancel: 'Отмена',
              yes: 'Всё равно выключить',
              text: /404.*теря/,
            };
      const tab = await tabIn(language);
      await open(tab, `/integrations/${integration.id}`);
      await tab.getByRole('button', { name: words.disable, exact: true }).click();
      const confirm = tab.getByTestId('confirm-disable');
      await confirm.waitFor();
      await expect(confirm.textContent()).resolves.toMatch(words.text);
      await screenshot(tab, `first-use-${language}-confirm-disable`);
      await confirm.getByRole('button', { name: words.cancel }).click();
      await confirm.waitFor({ state: 'detached' });
      expect(await readState()).toBe(true);
      await tab.context().close();
    }

    const tab = await tabIn('en');
    await open(tab, `/integrations/${integration.id}`);
    await tab.getByRole('button', { name: 'Disable', exact: true }).click();
    await tab
      .getByTestId('confirm-disable')
      .getByRole('button', { name: 'Disable anyway' })
      .click();
    await tab.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    expect(await readState()).toBe(false);
    // What the confirmation said: the partner's postback is refused.
    expect(await partnerCalls('registration', `click_id=${clickId}`)).toBe(404);
    // Enabling again loses nothing: no question asked.
    await tab.getByRole('button', { name: 'Enable', exact: true }).click();
    await tab.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    expect(await readState()).toBe(true);
    await tab.context().close();
  });

  it('wraps destination names between words, never inside one', async () => {
    for (const language of ['en', 'ru'] as const) {
      const tab = await tabIn(language);
      await open(tab, '/destinations');
      await tab.getByTestId('destination-row').first().waitFor();
      await screenshot(tab, `first-use-${language}-destinations`);
      const { words, split } = (await tab.evaluate(SPLIT_WORDS_PROBE)) as {
        words: number;
        split: string[];
      };
      expect(words).toBeGreaterThanOrEqual(10);
      expect(`${language}: ${split.join(' ')}`).toBe(`${language}: `);
      await tab.context().close();
    }
  });

  it('fits the funnel table with its money columns in a 1366×768 window', async () => {
    for (const language of ['en', 'ru'] as const) {
      const tab = await tabIn(language);
      for (const groupBy of ['none', 'day', 'campaign', 'integration']) {
        await open(tab, `/funnel?groupBy=${groupBy}`);
        const table = tab.getByTestId('funnel-table');
        // The first integration's 12,345.67 (other tests add rows of their own).
        await eventually(async () =>
          expect(await table.getByTestId('netDeposits').allTextContents()).toEqual(
            expect.arrayContaining([expect.stringContaining('12')]),
          ),
        );
        const wrap = tab.locator('.table-wrap').filter({ has: table });
        if (groupBy === 'day') await screenshot(tab, `first-use-${language}-funnel`);
        const [scrollWidth, clientWidth] = await wrap.evaluate((element) => [
          element.scrollWidth,
          element.clientWidth,
        ]);
        expect(`${language} ${groupBy}: ${scrollWidth} fits ${clientWidth}`).toBe(
          `${language} ${groupBy}: ${Math.min(scrollWidth, clientWidth)} fits ${clientWidth}`,
        );
        const last = (await table.locator('thead th').last().boundingBox())!;
        expect(last.x + last.width).toBeLessThanOrEqual(LAPTOP.width);
      }
      await tab.context().close();
    }
  });
});
