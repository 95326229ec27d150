/**
 * The console's outgoing postbacks in a real browser, in Russian, against the whole tracker (real
 * Kafka and PostgreSQL) and a local HTTP receiver standing in for the ad platform (hence
 * DESTINATIONS_ALLOW_PRIVATE): a destination from the S2S template, a test send, a click and a
 * deposit delivered with its attempt, a failing destination retried, edit keeping the masked
 * secret, delete, what the remote server answered shown as text only, axe and screenshots.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { apiClient, eventually, HttpReceiver, TestApp } from '@tracker/testing';
import { screenshot, startConsoleStack, seriousViolations, succeeding } from './console-browser';

const HOSTILE = '<img src=x onerror=alert(1)><a href="javascript:alert(2)">x</a>';
const SECRET = 'tok-SECRET-abcd1234';

interface Integration {
  id: string;
  events: Array<{ name: string; postbackUrl: string }>;
}

describe('outgoing postbacks in the console (Chromium, Russian)', () => {
  let tracker: TestApp;
  let receiver: HttpReceiver;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let apiKey = '';
  let integration: Integration;
  const dialogs: string[] = [];
  const pageLog: string[] = [];

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
  };

  const newClick = async () =>
    (
      await api<{ clickId: string }>('POST', '/api/clicks', {
        body: { integrationId: integration.id },
      })
    ).clickId;

  /** Waits for a locator; on timeout, fails with the URL, the page's text and its errors. */
  const waitOrExplain = async (locator: ReturnType<Page['locator']>) => {
    try {
      await locator.waitFor();
    } catch (error) {
      await screenshot(page, 'failure-destinations').catch(() => undefined);
      const text = await page
        .locator('body')
        .textContent()
        .catch(() => '?');
      throw new Error(
        `${(error as Error).message}\nurl: ${page.url()}\nbody: ${text}\nlog: ${pageLog.slice(-10).join('\n')}`,
      );
    }
  };

  const nav = (name: string) =>
    page.getByRole('navigation').getByRole('link', { name, exact: true }).click();

  const axe = async (name: string) => {
    await eventually(async () => expect(await page.locator('.loading').count()).toBe(0));
    const violations = await seriousViolations(page);
    expect(
      violations.map(
        (v) => `${name}: ${v.id} ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
      ),
    ).toEqual([]);
  };

  /** Nothing a remote server sent became markup, ran, or turned into a live link. */
  const noInjection = async () => {
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  };

  beforeAll(async () => {
    ({ browser, receiver, tracker, apiKey, integration } = await startConsoleStack(
      'console-destinations',
      'Ad team',
    ));
    context = await browser.newContext({ locale: 'ru-RU', timezoneId: 'UTC' });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageLog.push(`pageerror ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageLog.push(`console ${message.text()}`);
    });
    await page.goto(`${tracker.baseUrl}/sign-in`);
    await page.getByLabel('API-ключ').fill(apiKey);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('navigation').waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await tracker?.close();
    await receiver?.stop();
  });

  it('creates a destination from the S2S template, names a bad macro at its field, and sends a test', async () => {
    await nav('Исходящие постбэки');
    await page.getByRole('heading', { name: 'Исходящие постбэки', level: 1 }).waitFor();
    await waitOrExplain(page.getByText('Получателей пока нет'));

    await page
      .getByRole('button', { name: 'Новый из шаблона: S2S postback (Keitaro, Binom style)' })
      .click();
    expect(page.url()).toContain('new=s2s-get');
    const url = page.getByLabel('URL', { exact: true });
    await expect(url.inputValue()).resolves.toContain('subid={clickid}');
    // The macro help lists the SPEC macros.
    await page.getByText('Макросы', { exact: true }).click();
    const help = (await page.getByTestId('macros-help').textContent()) ?? '';
    for (const macro of ['{clickid}', '{amount}', '{unix}', '{click.<param>}', '{fields.<key>}']) {
      expect(help).toContain(macro);
    }

    // An unknown macro: the API's 400 shows next to the URL field, which is marked invalid.
    await page.getByLabel('Название', { exact: true }).fill('Keitaro');
    await url.fill(`${receiver.baseUrl}/s2s/postback?subid={clickid}&payout={payout_usd}`);
    await page.getByRole('button', { name: 'Создать получателя' }).click();
    await waitOrExplain(page.locator('#dest-url-error'));
    await expect(page.locator('#dest-url-error').textContent()).resolves.toContain('{payout_usd}');
    await expect(url.getAttribute('aria-invalid')).resolves.toBe('true');

    // No stage: named next to the stages.
    for (const stage of ['регистрация', 'первый депозит', 'повторный депозит']) {
      await page.getByRole('checkbox', { name: stage, exact: true }).uncheck();
    }
    await url.fill(`${receiver.baseUrl}/s2s/postback?subid={clickid}`);
    await page.getByRole('button', { name: 'Создать получателя' }).click();
    await waitOrExplain(page.locator('#dest-stages-error'));

    await page.getByRole('checkbox', { name: 'регистрация', exact: true }).check();
    await page.getByRole('checkbox', { name: 'первый депозит', exact: true }).check();
    await url.fill(
      `${receiver.baseUrl}/s2s/postback?subid={clickid}&status={stage}&payout={amount}&currency={currency}&token=${SECRET}`,
    );
    await axe('destination-form');
    await screenshot(page, 'destination-form');
    await page.getByRole('button', { name: 'Создать получателя' }).click();
    const row = page.getByTestId('destination-row');
    await waitOrExplain(row);
    expect(page.url()).not.toContain('new=');
    // The secret is masked in the list.
    await expect(row.getByTestId('destination-url').textContent()).resolves.toContain(
      'token=•••1234',
    );
    expect(await row.textContent()).not.toContain(SECRET);
    await expect(row.textContent()).resolves.toContain('Все интеграции');
    await screenshot(page, 'destinations');

    // Send test: the request sent (masked) and the receiver's answer, shown as text.
    receiver.script('/s2s', [{ status: 200, body: HOSTILE }]);
    await page.getByRole('button', { name: 'Отправить тест: Keitaro' }).click();
    const result = page.getByTestId('test-result');
    await waitOrExplain(result);
    await expect(result.getByTestId('test-request').textContent()).resolves.toMatch(
      new RegExp(`^GET ${receiver.baseUrl}/s2s/postback\\?subid=\\w+&.*token=•••1234`),
    );
    await expect(result.getByTestId('test-status').textContent()).resolves.toBe('200');
    await expect(result.getByTestId('test-response-body').textContent()).resolves.toBe(HOSTILE);
    const sent = receiver.to('/s2s');
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toContain(`token=${SECRET}`);
    await noInjection();
    await axe('destination-test');
    await screenshot(page, 'destination-test');
  });

  it('edits a destination keeping the masked secret, and shows the deposit delivered with its attempt', async () => {
    await page.getByRole('button', { name: 'Изменить: Keitaro' }).click();
    const form = page.getByTestId('destination-form');
    await waitOrExplain(form);
    await expect(page.getByLabel('URL', { exact: true }).inputValue()).resolves.toContain(
      'token=•••1234',
    );
    await page.getByLabel('Название', { exact: true }).fill('Keitaro main');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await waitOrExplain(page.locator('[data-testid="destination-row"][data-name="Keitaro main"]'));

    receiver.script('/s2s', [{ status: 200, body: 'OK' }]);
    const clickId = await newClick();
    await partnerCalls('registration', `click_id=${clickId}`);
    await partnerCalls('resale', `click_id=${clickId}&sumdep=50.00`);
    // The stored secret was kept by the edit: the receiver gets it in full.
    await eventually(
      async () =>
        expect(receiver.to('/s2s').map((r) => r.url)).toContainEqual(
          `/s2s/postback?subid=${clickId}&status=first_deposit&payout=50.00&currency=USD&token=${SECRET}`,
        ),
      { timeoutMs: 30_000 },
    );

    await nav('Доставки');
    await page.getByRole('heading', { name: 'Доставки', level: 1 }).waitFor();
    await page.evaluate('window.__sameDocument = true');
    const delivered = page.locator('[data-testid="delivery-row"][data-status="delivered"]');
    await eventually(async () => expect(await delivered.count()).toBe(2), { timeoutMs: 20_000 });
    // The page refreshed by itself, no reload.
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    const deposit = page.locator('[data-testid="delivery-row"][data-stage="first_deposit"]');
    await expect(deposit.textContent()).resolves.toContain('доставлено');
    await expect(deposit.textContent()).resolves.toContain('Keitaro main');
    await axe('deliveries');
    await screenshot(page, 'deliveries');

    await deposit.getByRole('button', { name: /Подробнее/ }).click();
    const drawer = page.getByTestId('delivery-drawer');
    await waitOrExplain(drawer.getByTestId('attempt'));
    expect(page.url()).toContain('open=');
    await expect(drawer.getByTestId('attempt-status').textContent()).resolves.toBe('200');
    await expect(drawer.getByTestId('attempt-request').textContent()).resolves.toBe(
      `GET ${receiver.baseUrl}/s2s/postback?subid=${clickId}&status=first_deposit&payout=50.00&currency=USD&token=•••1234`,
    );
    await expect(drawer.getByTestId('attempt-body').textContent()).resolves.toBe('OK');
    // From the delivery to its click journey and its conversion.
    await expect(
      drawer.getByRole('link', { name: clickId, exact: true }).getAttribute('href'),
    ).resolves.toBe(`/clicks/${clickId}`);
    await expect(drawer.locator('a[href^="/conversions?clickId="]').count()).resolves.toBe(1);
    await axe('delivery-drawer');
    await screenshot(page, 'delivery-drawer');
    await page.keyboard.press('Escape');
    await eventually(async () => expect(page.url()).not.toContain('open='));
  });

  it('shows a failed delivery with the answer as text, filters it in the URL, and retries it', async () => {
    const failing = await api<{ id: string }>('POST', '/api/destinations', {
      body: {
        name: 'Strict partner',
        integrationId: integration.id,
        stages: ['registration'],
        method: 'GET',
        url: `${receiver.baseUrl}/strict?subid={clickid}`,
      },
    });
    receiver.script('/strict', [
      { status: 400, body: HOSTILE },
      { status: 200, body: 'OK' },
    ]);
    const clickId = await newClick();
    await partnerCalls('registration', `click_id=${clickId}`);

    await page.goto(`${tracker.baseUrl}/deliveries`);
    await page.getByTestId('delivery-status-filter').selectOption('failed');
    await page.getByLabel('Получатель').selectOption(failing.id);
    expect(page.url()).toContain('status=failed');
    expect(page.url()).toContain(`destinationId=${failing.id}`);
    const row = page.locator('[data-testid="delivery-row"][data-status="failed"]');
    await eventually(async () => expect(await row.count()).toBe(1), { timeoutMs: 20_000 });
    await expect(row.textContent()).resolves.toContain('ошибка');
    await expect(row.textContent()).resolves.toContain('400');

    await row.getByRole('button', { name: /Подробнее/ }).click();
    const drawer = page.getByTestId('delivery-drawer');
    await waitOrExplain(drawer.getByTestId('attempt'));
    await expect(drawer.getByTestId('attempt-status').textContent()).resolves.toBe('400');
    await expect(drawer.getByTestId('attempt-body').textContent()).resolves.toBe(HOSTILE);
    await noInjection();
    await screenshot(page, 'delivery-failed');

    // Retry is the first attempt's request again, and the drawer says so.
    await expect(drawer.textContent()).resolves.toContain('тот самый запрос первой попытки');
    await drawer.getByRole('button', { name: 'Повторить' }).click();
    await eventually(
      async () => {
        expect(await drawer.getByTestId('attempt').count()).toBe(2);
        expect(
          await drawer.locator('[data-testid="attempt"][data-outcome="delivered"]').count(),
        ).toBe(1);
      },
      { timeoutMs: 20_000 },
    );
    await expect(drawer.getByRole('button', { name: 'Повторить' }).count()).resolves.toBe(0);
    // The same Idempotency-Key both times (SPEC section 4).
    const keysSent = receiver.to('/strict').map((r) => r.headers['idempotency-key']);
    expect(keysSent).toHaveLength(2);
    expect(new Set(keysSent).size).toBe(1);
    await noInjection();
  });

  it('disables, deletes with confirmation, and says when the API is down', async () => {
    await page.goto(`${tracker.baseUrl}/destinations`);
    const row = page.locator('[data-testid="destination-row"][data-name="Strict partner"]');
    await waitOrExplain(row);
    await row.getByRole('button', { name: 'Выключить: Strict partner' }).click();
    await waitOrExplain(row.getByRole('button', { name: 'Включить: Strict partner' }));
    await expect(row.textContent()).resolves.toContain('выключен');

    await row.getByRole('button', { name: 'Удалить: Strict partner' }).click();
    await row.getByRole('button', { name: 'Отмена' }).click();
    await row.getByRole('button', { name: 'Удалить: Strict partner' }).click();
    await row.getByRole('button', { name: 'Удалить навсегда' }).click();
    await eventually(async () => expect(await row.count()).toBe(0));
    await expect(page.getByTestId('destination-row').count()).resolves.toBe(1);

    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.goto(`${tracker.baseUrl}/deliveries`);
    await waitOrExplain(page.getByText('API трекера не отвечает.'));
    await page.goto(`${tracker.baseUrl}/destinations`);
    await waitOrExplain(page.getByText('API трекера не отвечает.').first());
    await page.unroute('**/api/**');
    expect(dialogs).toEqual([]);
  });
});
