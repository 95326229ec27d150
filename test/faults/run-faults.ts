/**
 * `npm run test:faults` (issue 14): at least 100,000 postbacks at a fixed rate over many clicks
 * while the tracker runs one process per app, each app process is killed with SIGKILL in turn
 * at seeded random moments, the broker is stopped for 30 s and PostgreSQL is restarted; then the
 * log, the conversions topic and the funnel are compared with the model the plan gives
 * (checks.ts). Prints a table of the faults injected and one of the checks with the differences
 * found; exits 1 on any difference.
 *
 * Private broker and embedded PostgreSQL in a temp dir, removed afterwards (the tracker's log
 * is kept as `<OS temp dir>/tracker-faults-<seed>.log`). Knobs: FAULTS_POSTBACKS (100000),
 * FAULTS_RATE (postbacks/s, 400), FAULTS_CLICKS (2000), FAULTS_SEED (random, printed),
 * FAULTS_BROKER_DOWN_S (30), FAULTS_FINAL_TIMEOUT_S (300), FAULTS_REQUEST_TIMEOUT_S (30),
 * FAULTS_ONLY (e.g. `broker`: only the faults whose name holds one of these comma-separated words).
 */
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConversionRecordedPayload, Topics } from '@tracker/contracts';
import { createKafkaClient } from '@tracker/kafka';
import { apiClient, TopicTail, topicEnds } from '@tracker/testing';
import { percentile } from '../../bench/src/support/stats';
import { waitFor } from '../../bench/src/support/wait';
import { checkRun, CheckResult, FunnelTotals, RecordedConversion } from './checks';
import { FaultInjector, FaultRecord } from './fault-injector';
import { FixedRateLoad } from './fixed-rate-load';
import { LogReader } from './log-reader';
import { PrivateInfrastructure } from './private-infrastructure';
import { SeededRandom } from './seeded-random';
import { planTraffic } from './traffic-plan';
import { TrackerUnderTest } from './tracker-under-test';

const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const POSTBACKS = env('FAULTS_POSTBACKS', 100_000);
const RATE = env('FAULTS_RATE', 400);
const CLICKS = env('FAULTS_CLICKS', 2000);
const SEED = env('FAULTS_SEED', Math.floor(Math.random() * 2 ** 31) + 1);
const BROKER_DOWN_MS = env('FAULTS_BROKER_DOWN_S', 30) * 1000;
const FINAL_TIMEOUT_MS = env('FAULTS_FINAL_TIMEOUT_S', 300) * 1000;
const REQUEST_TIMEOUT_MS = env('FAULTS_REQUEST_TIMEOUT_S', 30) * 1000;
/** e.g. `broker` or `SIGKILL,PostgreSQL`: only the faults whose name holds one of the words. */
const ONLY = (process.env.FAULTS_ONLY ?? '').split(',').filter(Boolean);
/** Issue 14: everything acknowledged is final within 30 s after the broker returns. */
const AFTER_BROKER_TARGET_MS = 30_000;

const print = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

async function main(): Promise<number> {
  print(
    `faults run: ${POSTBACKS} postbacks at ${RATE}/s over ${CLICKS} clicks, seed ${SEED} ` +
      `(FAULTS_SEED=${SEED} plans the same run)` +
      (ONLY.length > 0 ? `, only faults naming ${ONLY.join(' or ')}` : ''),
  );
  const random = new SeededRandom(SEED);
  const infra = await PrivateInfrastructure.start();
  let tracker: TrackerUnderTest | null = null;
  let log: LogReader | null = null;
  let failed = true;
  // Ctrl-C mid-run: stop the tracker and remove the broker and database all the same.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      print(`${signal}: stopping the tracker, the broker and the database`);
      void (async () => {
        await tracker?.stop().catch(() => undefined);
        await infra.dispose().catch(() => undefined);
        process.exit(130);
      })();
    });
  }
  try {
    tracker = await TrackerUnderTest.start(infra.dir, infra.brokers, infra.databaseUrl);
    const api = apiOf(tracker.baseUrl);
    const seeded = await seed(api, tracker.baseUrl, tracker.adminToken);
    print(
      `seeded: account ${seeded.accountId}, integration ${seeded.integrationId}, ${CLICKS} clicks`,
    );
    log = new LogReader(infra.databaseUrl, seeded.accountId);
    const reader = log;

    const plan = planTraffic(random, seeded.integrationId, seeded.clicks, POSTBACKS);
    const load = new FixedRateLoad(plan, {
      baseUrl: tracker.baseUrl,
      ratePerSecond: RATE,
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxInFlight: 1024,
    });
    let afterBroker: Finality | null = null;
    const faults = new FaultInjector(random, tracker, infra, {
      brokerDownMs: BROKER_DOWN_MS,
      only: ONLY,
      loadMs: (POSTBACKS / RATE) * 1000,
      now: () => load.now(),
      afterBrokerReturn: async (returnedAt) => {
        afterBroker = await finalAfter(
          reader,
          load.acknowledgedBefore(returnedAt).map((p) => p.seq),
        );
        return (
          `acked before its return all final ${seconds(afterBroker.ms)} after it ` +
          `(not final yet: ${afterBroker.progress})`
        );
      },
    });
    const loadDone = load.run().then(() => load.now());
    await Promise.all([loadDone, faults.run()]);
    const loadMs = await loadDone;
    print(`load: ${load.sent} sent in ${seconds(loadMs)}; faults done at ${seconds(load.now())}`);

    const acked = plan.filter((p) => load.answers[p.seq]?.id).map((p) => p.seq);
    const allFinal = await finalAfter(log, acked, FINAL_TIMEOUT_MS);
    const allFinalAt = load.now();
    await waitFor(
      async () => (await reader.receivedCount()) === 0,
      FINAL_TIMEOUT_MS,
      'no row in received',
      1000,
    ).catch(() => undefined);

    const conversions = await readConversions(infra.brokers);
    const funnel = await api<{ rows: FunnelTotals[] }>(seeded.apiKey, 'GET', '/api/funnel');
    const rows = await log.all();
    const checks = checkRun({
      plan,
      answers: load.answers,
      rows,
      conversions: conversions.events,
      conversionRecords: conversions.records,
      funnel: funnel.rows[0],
      clicks: CLICKS,
    });
    checks.push(
      timingCheck(
        `acked before the broker returned, final ≤ ${seconds(AFTER_BROKER_TARGET_MS)} after it`,
        afterBroker,
      ),
      timingCheck(
        `every acked postback final, deadline ${seconds(FINAL_TIMEOUT_MS)}`,
        allFinal,
        FINAL_TIMEOUT_MS,
      ),
    );

    print();
    printAnswers(load);
    const lastAnswer = Math.max(...Array.from(load.answers, (a) => a?.answeredAt ?? 0));
    print(
      `all ${acked.length} acknowledged final ${seconds(allFinal.ms === null ? null : Math.max(0, allFinalAt - lastAnswer))} after the last answer`,
    );
    print();
    printTimeline(load, faults.records);
    print();
    printFaults(faults.records);
    print();
    failed = printChecks(checks);
    print();
    print(`seed ${SEED}: ${failed ? 'DIFFERENCES FOUND' : 'no differences'}`);
  } finally {
    await log?.close().catch(() => undefined);
    await tracker?.stop();
    if (tracker) {
      const kept = path.join(tmpdir(), `tracker-faults-${SEED}.log`);
      copyFileSync(tracker.logFile, kept);
      print(`the tracker's log: ${kept}`);
    }
    await infra.dispose();
  }
  return failed ? 1 : 0;
}

type Api = <T>(key: string, method: string, urlPath: string, body?: unknown) => Promise<T>;

/** The API as the run uses it: a call that is not a 2xx throws, naming what was answered. */
function apiOf(baseUrl: string): Api {
  const call = apiClient(baseUrl);
  return async <T>(key: string, method: string, urlPath: string, body?: unknown) => {
    const answer = await call<T>(method, urlPath, { body, key });
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${method} ${urlPath}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  };
}

/** An account, a Pocket Option RevShare [v2] integration and its clicks, through the API. */
async function seed(api: Api, baseUrl: string, adminToken: string) {
  const account = await api<{ id: string; apiKey: string }>(adminToken, 'POST', '/api/accounts', {
    name: 'Faults run',
  });
  const integration = await api<{ id: string }>(account.apiKey, 'POST', '/api/integrations', {
    template: 'pocket-option-revshare-v2',
  });
  const clicks: string[] = [];
  const makeClicks = async () => {
    while (clicks.length < CLICKS) {
      clicks.push('');
      const index = clicks.length - 1;
      const click = await api<{ clickId: string }>(account.apiKey, 'POST', '/api/clicks', {
        integrationId: integration.id,
      });
      clicks[index] = click.clickId;
    }
  };
  await Promise.all(Array.from({ length: 8 }, makeClicks));
  // HEAD records nothing and answers 200 once the ingress knows the integration (SPEC section 4).
  const probe = `/api/postbacks/${integration.id}/tracker-postback`;
  await waitFor(
    async () => (await fetch(`${baseUrl}${probe}`, { method: 'HEAD' })).ok,
    60_000,
    'the integration at the ingress',
  );
  await waitFor(
    async () =>
      (await api<{ rows: FunnelTotals[] }>(account.apiKey, 'GET', '/api/funnel')).rows[0].clicks ===
      CLICKS,
    120_000,
    'every click in attribution',
    500,
  );
  return { accountId: account.id, apiKey: account.apiKey, integrationId: integration.id, clicks };
}

interface Finality {
  /** Ms from the call until all were final; null when the deadline passed first. */
  ms: number | null;
  /** When that was, on the process clock (performance.now()). */
  at: number;
  /** How many were still not final at the end. */
  pending: number;
  /** How many were not final yet, every 10 s. */
  progress: string;
}

/** Polls the log until every one of `seqs` is in it with a final status, or the deadline. */
async function finalAfter(
  log: LogReader,
  seqs: readonly number[],
  timeoutMs = 120_000,
): Promise<Finality> {
  const started = performance.now();
  let pending = [...seqs];
  const progress: string[] = [];
  while (pending.length > 0 && performance.now() - started < timeoutMs) {
    try {
      const final = await log.finalAmong(pending);
      pending = pending.filter((seq) => !final.has(seq));
    } catch {
      // the database is restarting: ask again
    }
    const elapsed = performance.now() - started;
    if (elapsed >= progress.length * 10_000) {
      progress.push(`${Math.round(elapsed / 1000)} s: ${pending.length}`);
    }
    if (pending.length > 0) await sleep(250);
  }
  const at = performance.now();
  return {
    ms: pending.length === 0 ? at - started : null,
    at,
    pending: pending.length,
    progress: progress.join(', '),
  };
}

/** Every ConversionRecorded on the run's own broker, from the topic's beginning to its end. */
async function readConversions(brokers: string[]) {
  const kafka = createKafkaClient({ brokers, clientId: 'faults-read-back' });
  const tail = await new TopicTail(kafka, Topics.Conversions).start({ from: 'beginning' });
  try {
    const ends = await topicEnds(kafka, [Topics.Conversions]);
    await waitFor(
      async () => tail.reached(ends),
      120_000,
      'the conversions topic read to its end',
      100,
    );
    const events: RecordedConversion[] = tail
      .events()
      .filter((event) => event.type === 'ConversionRecorded')
      .map((event) => {
        const payload = event.payload as ConversionRecordedPayload;
        return {
          eventId: event.id,
          postbackId: payload.postbackId,
          clickId: payload.clickId,
          stage: payload.stage,
          ordinal: payload.ordinal,
        };
      });
    return { events, records: tail.records.length };
  } finally {
    await tail.stop();
  }
}

function timingCheck(name: string, finality: Finality | null, targetMs = AFTER_BROKER_TARGET_MS) {
  const met = finality !== null && finality.ms !== null && finality.ms <= targetMs;
  const measured =
    finality === null
      ? 'no broker stop happened'
      : `${seconds(finality.ms)}${finality.pending > 0 ? `, ${finality.pending} not final` : ''}`;
  return {
    name: `${name}: ${measured}`,
    checked: finality === null ? 0 : 1,
    differences: met || finality === null ? 0 : 1,
    examples: [],
  };
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  print(line(header));
  print(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) print(line(row));
}

/** Answers by kind, with when the first and last of each came (load clock). */
function printAnswers(load: FixedRateLoad): void {
  const outcomes = new Map<string, { count: number; first: number; last: number }>();
  const latencies: number[] = [];
  for (const answer of Array.from(load.answers).slice(1)) {
    const key = answer?.id ? '200 accepted' : (answer?.outcome ?? 'no answer');
    const at = answer?.answeredAt ?? 0;
    const seen = outcomes.get(key) ?? { count: 0, first: at, last: at };
    outcomes.set(key, {
      count: seen.count + 1,
      first: Math.min(seen.first, at),
      last: Math.max(seen.last, at),
    });
    if (answer?.id) latencies.push(answer.answeredAt - answer.sentAt);
  }
  latencies.sort((a, b) => a - b);
  print(
    `accepted latency: p50 ${percentile(latencies, 50).toFixed(0)} ms, ` +
      `p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms`,
  );
  table(
    ['answer', 'postbacks', 'first at', 'last at'],
    [...outcomes]
      .sort((a, b) => b[1].count - a[1].count)
      .map(([key, o]) => [key, String(o.count), seconds(o.first), seconds(o.last)]),
  );
}

/** Per window of the load (by when each was sent): sent, acknowledged, latencies, the rest. */
function printTimeline(load: FixedRateLoad, faults: readonly FaultRecord[], windowMs = 30_000) {
  interface Window {
    sent: number;
    acked: number;
    other: Map<string, number>;
    ms: number[];
  }
  const windows = new Map<number, Window>();
  for (const answer of Array.from(load.answers).slice(1)) {
    if (!answer) continue;
    const key = Math.floor(answer.sentAt / windowMs);
    const w: Window = windows.get(key) ?? { sent: 0, acked: 0, other: new Map(), ms: [] };
    w.sent += 1;
    if (answer.id) {
      w.acked += 1;
      w.ms.push(answer.answeredAt - answer.sentAt);
    } else {
      w.other.set(answer.outcome, (w.other.get(answer.outcome) ?? 0) + 1);
    }
    windows.set(key, w);
  }
  print('the load by when each postback was sent:');
  table(
    ['sent in', 'sent', 'acked', 'p50 ms', 'p99 ms', 'not acked', 'faults begun'],
    [...windows]
      .sort((a, b) => a[0] - b[0])
      .map(([key, w]) => {
        w.ms.sort((a, b) => a - b);
        const from = key * windowMs;
        const begun = faults
          .filter((f) => f.at >= from && f.at < from + windowMs)
          .map((f) => f.name);
        return [
          `${seconds(from)}–${seconds(from + windowMs)}`,
          String(w.sent),
          String(w.acked),
          percentile(w.ms, 50).toFixed(0),
          percentile(w.ms, 99).toFixed(0),
          [...w.other].map(([outcome, n]) => `${outcome} ${n}`).join(', '),
          begun.join(', '),
        ];
      }),
  );
}

function printFaults(records: readonly FaultRecord[]): void {
  print('faults injected (times from the start of the load):');
  table(
    ['fault', 'at', 'down', 'all ready again after', 'note'],
    [...records]
      .sort((a, b) => a.at - b.at)
      .map((r) => [r.name, seconds(r.at), seconds(r.downMs), seconds(r.recoveredMs), r.note]),
  );
}

/** Prints the checks; true when any found a difference. */
function printChecks(checks: readonly CheckResult[]): boolean {
  print('checks:');
  table(
    ['check', 'checked', 'differences'],
    checks.map((c) => [
      c.name,
      String(c.checked),
      c.info ? `${c.differences} (information)` : String(c.differences),
    ]),
  );
  for (const check of checks) {
    if (check.differences === 0 || check.examples.length === 0) continue;
    print(`  ${check.name}:`);
    for (const example of check.examples) print(`    ${example}`);
  }
  return checks.some((c) => !c.info && c.differences > 0);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
