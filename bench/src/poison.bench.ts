/**
 * Poison costs what a good postback costs (issue 14, SPEC section 9): against the tracker as
 * `npm start` runs it, the same 3,000 Pocket-style deposits are sent twice in one run, first
 * clean, then with 10 hostile ones mixed in (the inputs that used to dead-letter or fail a
 * batch: NUL, lone surrogates, invalid UTF-8, a 3,000-character click id, prototype member
 * names, values near 16 KiB, 200 fields). Each run's figure is the time from the last `200` to
 * every postback of the run final in the log API (`GET /api/postback-logs`, status not
 * `received`); the target is poisoned ≤ 2 × clean + 0.5 s, and no new dead letter
 * (`tracker_kafka_dead_letters_total` summed over every process's `/metrics`).
 *
 * A throwaway broker on 49194 (data under .data/bench-poison-kafka, wiped) and a fresh database
 * (dropped afterwards). Knobs: BENCH_POISON_DEPOSITS (3000), BENCH_POISON_CONNECTIONS (50),
 * BENCH_TRACKER_PROCESSES (the tracker's TRACKER_PROCESSES, default auto).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { findRepoRoot } from '@tracker/local-infra';
import { fmt, print } from './support/output';
import { startThrowawayBroker, wipeBroker } from './support/throwaway-broker';
import { throwawayDatabase } from './support/throwaway-database';
import {
  api,
  counterTotal,
  createAccount,
  seedPocketIntegration,
  startTracker,
  Tracker,
} from './support/tracker';
import { sleep } from './support/wait';

const DEPOSITS = Number(process.env.BENCH_POISON_DEPOSITS ?? 3000);
const CONNECTIONS = Number(process.env.BENCH_POISON_CONNECTIONS ?? 50);
const PROCESSES = process.env.BENCH_TRACKER_PROCESSES ?? 'auto';
const DEPOSITS_PER_CLICK = 10;
const WARMUP_DEPOSITS = 300;
const BROKER = { port: 49194, controllerPort: 49195 };
const FINAL_TIMEOUT_MS = 120_000;
const POLL_MS = 20;
const ADMIN_TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const DEAD_LETTERS = 'tracker_kafka_dead_letters_total';
// What libs/kafka's batch consumer logs when a batch failed every attempt or a message is parked.
const FAILED_BATCH = /isolating messages|dead-lettering/;

/** One postback as the partner sends it: a path with its query, and an optional body. */
interface Postback {
  label: string;
  path: string;
  body?: { contentType: string; text: string };
}

const randomClickId = (length: number) =>
  randomBytes(length)
    .toString('base64')
    .replace(/[^0-9A-Za-z]/g, 'x')
    .slice(0, length);

/** A deposit of `clickId` with its own tid: what the partner sends for each of the 3,000. */
function deposit(integrationId: string, clickId: string, tid: string, extra = ''): string {
  return (
    `/api/postbacks/${integrationId}/tracker-postback?tracker.event=resale&currency=usd` +
    `&click_id=${clickId}&sumdep=10&trader_id=48213977&tracker.tid=${tid}${extra}`
  );
}

/** The 10 hostile deposits of issue 14's table, each on a real click of the run. */
function poison(integrationId: string, clicks: string[]): Postback[] {
  const on = (n: number, extra: string, tid = `poison-${n}`) =>
    deposit(integrationId, clicks[n % clicks.length], tid, extra);
  const base = `/api/postbacks/${integrationId}/tracker-postback`;
  const twoHundredFields = Array.from({ length: 200 }, (_, n) => `&fields.f${n}=v${n}`).join('');
  return [
    { label: 'NUL in tracker.tid', path: on(0, '', 'x%00y') },
    { label: 'NUL in fields.a', path: on(1, '&fields.a=x%00y') },
    { label: 'lone surrogate (%ED%A0%80)', path: on(2, '&fields.b=%ED%A0%80&note=%ED%A0%80') },
    { label: 'invalid UTF-8 (%FF)', path: on(3, '&fields.c=%FF&x%FF=%FFabc', '%FFt3') },
    {
      label: '3,000-character click id',
      path: deposit(integrationId, randomClickId(3000), 'poison-4'),
    },
    {
      label: 'prototype member names',
      path: on(5, '&toString=1&__proto__=x&constructor=y&fields.__proto__=p&fields.toString=t'),
    },
    {
      label: 'a value near 16 KiB (form body)',
      path: `${base}?tracker.event=resale`,
      body: {
        contentType: 'application/x-www-form-urlencoded',
        text:
          `currency=usd&click_id=${clicks[6 % clicks.length]}&sumdep=10&tracker.tid=poison-6` +
          `&fields.big=${'v'.repeat(16 * 1024 - 200)}`,
      },
    },
    { label: '200 fields', path: on(7, twoHundredFields) },
    {
      label: 'lone surrogate and NUL in a JSON body',
      path: `${base}?tracker.event=resale`,
      body: {
        contentType: 'application/json',
        text: JSON.stringify({
          currency: 'usd',
          click_id: clicks[8 % clicks.length],
          sumdep: '10',
          'tracker.tid': 'poison-8',
          'fields.s': '\ud800',
          'fields.n': 'a\u0000b',
        }),
      },
    },
    { label: 'NUL in a parameter name', path: on(9, '&a%00b=1&fields.k%00=v') },
  ];
}

/** `count` clean deposits over the clicks, tids `<prefix><n>`. */
function deposits(
  integrationId: string,
  clicks: string[],
  count: number,
  prefix: string,
): Postback[] {
  return Array.from({ length: count }, (_, n) => ({
    label: 'deposit',
    path: deposit(integrationId, clicks[n % clicks.length], `${prefix}${n}`),
  }));
}

/** `poisoned` spread evenly through `clean`. */
function mixIn(clean: Postback[], poisoned: Postback[]): Postback[] {
  const mixed = [...clean];
  poisoned.forEach((postback, n) => {
    const at = Math.floor(((n + 0.5) * mixed.length) / poisoned.length);
    mixed.splice(at, 0, postback);
  });
  return mixed;
}

interface Sent {
  /** The postback id of each `200 {"status": "accepted"}`, by label. */
  accepted: Array<{ id: string; label: string }>;
  failed: string[];
  /** performance.now() when the last 200 arrived. */
  lastOkAt: number;
  seconds: number;
}

/** Sends every postback over `CONNECTIONS` concurrent requests. */
async function send(baseUrl: string, postbacks: Postback[]): Promise<Sent> {
  const sent: Sent = { accepted: [], failed: [], lastOkAt: 0, seconds: 0 };
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < postbacks.length) {
      const postback = postbacks[next++];
      const response = await fetch(`${baseUrl}${postback.path}`, {
        method: postback.body ? 'POST' : 'GET',
        headers: postback.body ? { 'content-type': postback.body.contentType } : undefined,
        body: postback.body?.text,
      }).catch((error: Error) => error);
      if (response instanceof Error || response.status !== 200) {
        const why = response instanceof Error ? response.message : String(response.status);
        sent.failed.push(`${postback.label}: ${why}`);
        continue;
      }
      const { id } = (await response.json()) as { id: string };
      sent.accepted.push({ id, label: postback.label });
      sent.lastOkAt = performance.now();
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  sent.seconds = (performance.now() - started) / 1000;
  return sent;
}

interface LogItem {
  id: string;
  status: string;
  errorCode: string | null;
}

/** Ids of the integration's postbacks that are final in the log API (every page, newest first). */
async function finalIds(baseUrl: string, apiKey: string, integrationId: string) {
  const final = new Set<string>();
  let cursor: string | null = null;
  do {
    const page: { items: LogItem[]; nextCursor: string | null } = await api(
      baseUrl,
      apiKey,
      'GET',
      `/api/postback-logs?integrationId=${integrationId}&limit=500` +
        (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''),
    );
    for (const item of page.items) if (item.status !== 'received') final.add(item.id);
    cursor = page.nextCursor;
  } while (cursor);
  return final;
}

/**
 * Seconds from the last 200 until every accepted postback is final in the log API: a cheap
 * probe (`status=received`, one item) until none is left, then a walk over every page.
 */
async function secondsUntilFinal(
  baseUrl: string,
  apiKey: string,
  integrationId: string,
  sent: Sent,
): Promise<number> {
  for (;;) {
    const received = await api<{ items: LogItem[] }>(
      baseUrl,
      apiKey,
      'GET',
      `/api/postback-logs?integrationId=${integrationId}&status=received&limit=1`,
    );
    if (received.items.length === 0) {
      const final = await finalIds(baseUrl, apiKey, integrationId);
      const missing = sent.accepted.filter(({ id }) => !final.has(id));
      if (missing.length === 0) return (performance.now() - sent.lastOkAt) / 1000;
      if (performance.now() - sent.lastOkAt > FINAL_TIMEOUT_MS) {
        const labels = [...new Set(missing.map(({ label }) => label))].join(', ');
        throw new Error(`${missing.length} postbacks never final (${labels})`);
      }
    } else if (performance.now() - sent.lastOkAt > FINAL_TIMEOUT_MS) {
      throw new Error(`postbacks still received ${FINAL_TIMEOUT_MS / 1000} s after the last 200`);
    }
    await sleep(POLL_MS);
  }
}

/** Sends one run's postbacks and measures it; throws when any is refused or never final. */
async function measure(
  tracker: Tracker,
  apiKey: string,
  integrationId: string,
  postbacks: Postback[],
): Promise<{ sent: Sent; finalSeconds: number }> {
  const sent = await send(tracker.baseUrl, postbacks);
  if (sent.failed.length > 0) {
    throw new Error(`${sent.failed.length} not accepted: ${sent.failed.slice(0, 5).join('; ')}`);
  }
  const finalSeconds = await secondsUntilFinal(tracker.baseUrl, apiKey, integrationId, sent);
  return { sent, finalSeconds };
}

export async function run(): Promise<void> {
  const root = findRepoRoot();
  const brokerDir = path.join(root, '.data', 'bench-poison-kafka');
  const external = process.env.KAFKA_BROKERS?.split(',');
  const broker = external
    ? null
    : await startThrowawayBroker({ root, dataDir: brokerDir, ...BROKER });
  const brokers = external ?? broker!.brokers;
  const database = await throwawayDatabase('bench_poison');
  let tracker: Tracker | null = null;
  try {
    tracker = await startTracker({
      root,
      brokers,
      databaseUrl: database.url,
      adminToken: ADMIN_TOKEN,
      name: 'bench-poison',
      processes: PROCESSES,
    });
    const account = await createAccount(tracker.baseUrl, ADMIN_TOKEN, 'Bench poison');
    const clickCount = Math.ceil(DEPOSITS / DEPOSITS_PER_CLICK);
    // One integration per run, so each run's log walk reads only its own postbacks.
    const clean = await seedPocketIntegration(tracker.baseUrl, account.apiKey, clickCount);
    const poisoned = await seedPocketIntegration(tracker.baseUrl, account.apiKey, clickCount);
    print(
      `tracker: TRACKER_PROCESSES=${PROCESSES}, ` +
        `${clickCount} clicks per run, ${DEPOSITS} deposits per run over ${CONNECTIONS} connections`,
    );

    // Warm-up (JIT, pools, caches) on the clean run's integration, not measured.
    await measure(
      tracker,
      account.apiKey,
      clean.integrationId,
      deposits(clean.integrationId, clean.clicks, WARMUP_DEPOSITS, 'w'),
    );

    const deadBefore = await counterTotal(tracker, DEAD_LETTERS);
    const warningsBefore = tracker.warnings.length;
    const cleanRun = await measure(
      tracker,
      account.apiKey,
      clean.integrationId,
      deposits(clean.integrationId, clean.clicks, DEPOSITS, 'c'),
    );
    const hostile = poison(poisoned.integrationId, poisoned.clicks);
    const poisonedRun = await measure(
      tracker,
      account.apiKey,
      poisoned.integrationId,
      mixIn(deposits(poisoned.integrationId, poisoned.clicks, DEPOSITS, 'c'), hostile),
    );
    const deadAfter = await counterTotal(tracker, DEAD_LETTERS);
    const warnings = tracker.warnings.slice(warningsBefore);
    const failedBatches = warnings.filter((line) => FAILED_BATCH.test(line));

    const line = (name: string, result: { sent: Sent; finalSeconds: number }) =>
      print(
        `${name.padEnd(8)}: ${result.sent.accepted.length} accepted in ${fmt(result.sent.seconds, 2)} s ` +
          `(${fmt(result.sent.accepted.length / result.sent.seconds)}/s); all final in the log ` +
          `${fmt(result.finalSeconds, 2)} s after the last 200`,
      );
    line('clean', cleanRun);
    line('poisoned', poisonedRun);
    for (const { id, label } of poisonedRun.sent.accepted.filter((p) => p.label !== 'deposit')) {
      const item = await api<LogItem>(
        tracker.baseUrl,
        account.apiKey,
        'GET',
        `/api/postback-logs/${id}`,
      );
      print(
        `  poison: ${label.padEnd(38)} → ${item.status}${item.errorCode ? `/${item.errorCode}` : ''}`,
      );
    }
    const target = 2 * cleanRun.finalSeconds + 0.5;
    const ratio = poisonedRun.finalSeconds / cleanRun.finalSeconds;
    const newDeadLetters = deadAfter - deadBefore;
    print(
      `ratio poisoned/clean ${fmt(ratio, 2)}; target poisoned ≤ 2 × clean + 0.5 s = ${fmt(target, 2)} s ` +
        `→ ${poisonedRun.finalSeconds <= target ? 'met' : 'missed'}`,
    );
    print(
      `dead letters (${DEAD_LETTERS}, all processes): ${deadBefore} before, ${deadAfter} after, ` +
        `${newDeadLetters} new → ${newDeadLetters === 0 ? 'met' : 'missed'}`,
    );
    print(
      `failed batches (log lines 'isolating messages' / 'dead-lettering'): ${failedBatches.length}; ` +
        `warn-or-worse log lines during both runs: ${warnings.length}`,
    );
    for (const warning of warnings.slice(0, 5)) print(`  ${warning.slice(0, 240)}`);
  } finally {
    if (tracker) await tracker.stop();
    await database.drop().catch(() => undefined);
    if (broker) {
      await broker.stop();
      wipeBroker(brokerDir);
    }
  }
}
