/**
 * Fixtures for the console's browser tests: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), the console built once per run, axe-core injected into the page, and
 * screenshots saved under artifacts/ (ignored by git).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  apiClient,
  eventually,
  HttpReceiver,
  startTestApp,
  type ApiCall,
  type ApiCallOptions,
} from '@tracker/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { TRACKER_FEATURES } from '../../apps/tracker/src/tracker.features';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..', '..');
export const ARTIFACTS = path.join(ROOT, 'artifacts', 'console');

/** Launches the system Chromium headless; says which Debian package to install when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install the Debian package 'chromium' ` +
        '(apt-get install -y chromium) or set CHROMIUM_PATH. .ci/run installs it when missing.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Builds apps/console into dist/console (what the tracker serves), as `npm start` does. */
export function buildConsole(): void {
  execFileSync(
    path.join(ROOT, 'node_modules', '.bin', 'vite'),
    ['build', '--config', 'apps/console/vite.config.mts'],
    // jest sets NODE_ENV=test, which would make Vite bundle React's development build.
    { cwd: ROOT, stdio: 'pipe', env: { ...process.env, NODE_ENV: 'production' } },
  );
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, which the page's CSP does
 * not govern) and answers the serious and critical violations.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate('typeof window.axe !== "undefined"');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    `window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Saves a full-page screenshot as artifacts/console/<name>.png; answers the file's path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

interface AxNode {
  nodeId: string;
  role?: { value?: string };
  name?: { value?: string };
  childIds?: string[];
}

/**
 * What a native date picker (`<input type="date">` labelled `label`) shows, e.g. `12/01/2026`:
 * its text lives in the browser's own shadow tree, which only the accessibility tree exposes.
 */
export async function datePickerText(page: Page, label: string): Promise<string> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: AxNode[] };
    const byId = new Map(nodes.map((node) => [node.nodeId, node]));
    const picker = nodes.find((node) => node.role?.value === 'Date' && node.name?.value === label);
    if (!picker) throw new Error(`no date picker labelled ${label}`);
    const texts: string[] = [];
    const walk = (node: AxNode) => {
      if (node.role?.value === 'StaticText') texts.push(node.name?.value ?? '');
      else if (node.role?.value !== 'button')
        for (const id of node.childIds ?? []) walk(byId.get(id) ?? { nodeId: id });
    };
    walk(picker);
    return texts.join('');
  } finally {
    await cdp.detach();
  }
}

/**
 * A call of the tracker's API that must succeed: asserts a 2xx (the failure names the method,
 * path and status) and resolves with the body.
 */
export function succeeding(call: ApiCall) {
  return async <T>(method: string, route: string, options?: ApiCallOptions): Promise<T> => {
    const answer = await call<T>(method, route, options);
    expect(`${method} ${route} ${answer.status}`).toMatch(/ 2\d\d$/);
    return answer.body;
  };
}

/**
 * A tab of a context of its own (own sessionStorage and preferences: UTC, `language`'s locale,
 * `viewport`), signed in to the console at `baseUrl` with `apiKey` in `language`.
 */
export async function signedInTab(
  browser: Browser,
  baseUrl: string,
  apiKey: string,
  language: 'en' | 'ru',
  viewport: { width: number; height: number },
): Promise<Page> {
  const context = await browser.newContext({
    locale: language === 'ru' ? 'ru-RU' : 'en-US',
    timezoneId: 'UTC',
    viewport,
  });
  context.setDefaultTimeout(10_000);
  const tab = await context.newPage();
  await tab.goto(`${baseUrl}/sign-in`);
  await tab.getByTestId('language').selectOption(language);
  await tab.locator('#api-key, input[type="password"]').first().fill(apiKey);
  await tab.locator('form button[type="submit"]').click();
  await tab.getByRole('navigation').waitFor();
  return tab;
}

/** Opens a console page and waits until nothing on it is loading. */
export async function openPage(tab: Page, baseUrl: string, route: string): Promise<void> {
  await tab.goto(`${baseUrl}${route}`);
  await tab.locator('main h1').first().waitFor();
  await eventually(async () => expect(await tab.locator('.loading').count()).toBe(0));
}

/** An integration as the browser specs read it from the API. */
export interface SpecIntegration {
  id: string;
  name: string;
  enabled: boolean;
  events: Array<{ name: string; postbackUrl: string }>;
}

/**
 * What a console spec drives: the console built, Chromium, a local HTTP receiver standing in for
 * ad platforms, and the whole tracker (real Kafka and PostgreSQL; DESTINATIONS_ALLOW_PRIVATE for
 * the receiver) with one account named `accountName` and a Pocket Option integration.
 */
export async function startConsoleStack(name: string, accountName: string) {
  buildConsole();
  const browser = await launchChromium();
  const receiver = await new HttpReceiver().start();
  const tracker = await startTestApp({
    name,
    features: TRACKER_FEATURES,
    config: { destinationsAllowPrivate: true },
  });
  const api = succeeding(apiClient(tracker.baseUrl));
  const { apiKey } = await api<{ apiKey: string }>('POST', '/api/accounts', {
    body: { name: accountName },
    key: tracker.config.adminToken,
  });
  const integration = await api<SpecIntegration>('POST', '/api/integrations', {
    body: { template: 'pocket-option-revshare' },
    key: apiKey,
  });
  return { browser, receiver, tracker, apiKey, integration };
}
