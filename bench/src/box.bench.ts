/**
 * B6 and B7 of SPEC section 8, against the tracker as `npm start` runs it
 * (`node dist/apps/tracker/main.js`: every app as its own process behind one port on a machine
 * with several cores), measured from outside with autocannon:
 * - B6, capacity: Pocket-style postbacks (registration, conf, resale) over 600 clicks at a fixed
 *   rate of 0.1 × the bare Fastify hello-world measured in the same run, 5 s warm-up then 15 s;
 *   every postback must be accepted at that rate with p99 ≤ 50 ms and be final in the log within
 *   1 s after the load stops.
 * - B7, one hot click: deposits of one click at 1,000/s for 10 s; accept p99 ≤ 50 ms, every
 *   deposit attributed with consecutive ordinals.
 * - B5 under B6: the peak RSS of each of the tracker's processes during B6's load and drain.
 *
 * A throwaway broker on 49192 (data under .data/bench-box-kafka, wiped) and a fresh database
 * (dropped afterwards) take the load. Knobs: BENCH_BOX_SECONDS (15), BENCH_BOX_WARMUP (5),
 * BENCH_BOX_CONNECTIONS (100), BENCH_HOT_RATE (1000), BENCH_HOT_SECONDS (10),
 * BENCH_BOX_RATE_SHARE (0.1; B6's rate as a share of the reference, to see the headroom),
 * BENCH_TRACKER_PROCESSES (the tracker's TRACKER_PROCESSES, default auto),
 * BENCH_TRACKER_NODE_ARGS (Node flags of the tracker and its app processes, e.g. to profile),
 * BENCH_TRACKER_LOG (a file that keeps all the tracker and its processes print).
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { findRepoRoot } from '@tracker/local-infra';
import { Client } from 'pg';
import { autocannon, AutocannonResult, startBareFastify } from './support/load';
import { fmt, print } from './support/output';
import { cpuPerUnit, RssSampler, stopChild, trackerProcesses } from './support/processes';
import { brokerPid, startThrowawayBroker, wipeBroker } from './support/throwaway-broker';
import { throwawayDatabase } from './support/throwaway-database';
import { createAccount, seedPocketIntegration, startTracker, Tracker } from './support/tracker';
import { sleep, waitFor } from './support/wait';

const SECONDS = Number(process.env.BENCH_BOX_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_BOX_WARMUP ?? 5);
const CONNECTIONS = Number(process.env.BENCH_BOX_CONNECTIONS ?? 100);
const HOT_RATE = Number(process.env.BENCH_HOT_RATE ?? 1000);
const HOT_SECONDS = Number(process.env.BENCH_HOT_SECONDS ?? 10);
const PROCESSES = process.env.BENCH_TRACKER_PROCESSES ?? 'auto';
/** B6's rate as a share of the reference: 0.1 is the target; lower shares show the headroom. */
const RATE_SHARE = Number(process.env.BENCH_BOX_RATE_SHARE ?? 0.1);
const CLICKS = 600;
const BROKER = { port: 49192, controllerPort: 49193 };
const FINAL_TIMEOUT_MS = 120_000;
const ADMIN_TOKEN = `bench-${randomBytes(12).toString('hex')}`;

/** An account, a Pocket Option integration and its clicks, made through the public API. */
async function seed(
  baseUrl: string,
): Promise<{ accountId: string; integrationId: string; clicks: string[] }> {
  const account = await createAccount(baseUrl, ADMIN_TOKEN, 'Bench box');
  const { integrationId, clicks } = await seedPocketIntegration(baseUrl, account.apiKey, CLICKS);
  return { accountId: account.id, integrationId, clicks };
}

/** registration, conf, resale in turn, over every click (a Pocket Option partner's traffic). */
function pocketTraffic(integrationId: string, clicks: string[]) {
  let n = 0;
  const base = `/api/postbacks/${integrationId}/tracker-postback?tracker.event=`;
  return [
    {
      setupRequest: (request: { path: string }) => {
        n += 1;
        const clickId = clicks[n % clicks.length];
        const step = Math.floor(n / clicks.length) % 3;
        const query =
          step === 0
            ? `registration&click_id=${clickId}`
            : step === 1
              ? `conf&click_id=${clickId}`
              : `resale&currency=usd&click_id=${clickId}&sumdep=50&trader_id=${48213977 + n}&n=${n}`;
        return { ...request, path: `${base}${query}` };
      },
    },
  ];
}

/** Deposits of one click, each with its own tid. */
function hotClickTraffic(integrationId: string, clickId: string) {
  let n = 0;
  const base = `/api/postbacks/${integrationId}/tracker-postback?tracker.event=resale&currency=usd&click_id=${clickId}&sumdep=10`;
  return [
    {
      setupRequest: (request: { path: string }) => {
        n += 1;
        return { ...request, path: `${base}&tracker.tid=T${n}` };
      },
    },
  ];
}

/**
 * Milliseconds until every one of `expected` postbacks of the account is final in the log (has
 * its PostbackReceived and a status other than `received`). The poll must cost the machine
 * little: it shares the two cores with the drain it waits for. So it counts the rows still
 * `received` through the status index (a handful while the log catches up) and counts the whole
 * account (tens of milliseconds of a backend) only once none is left, at most every 100 ms.
 */
async function msUntilFinal(db: Client, accountId: string, expected: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const pending = await db.query(
      `SELECT count(*)::int AS n FROM postback_log.postback_logs
        WHERE account_id = $1 AND status = 'received' AND received_at IS NOT NULL`,
      [accountId],
    );
    let final = 0;
    if (pending.rows[0].n === 0) {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM postback_log.postback_logs
          WHERE account_id = $1 AND received_at IS NOT NULL AND status <> 'received'`,
        [accountId],
      );
      final = rows[0].n;
      if (final >= expected) return performance.now() - started;
    }
    if (performance.now() - started > FINAL_TIMEOUT_MS) {
      throw new Error(
        `${pending.rows[0].n} postbacks still received, ${final} of ${expected} final`,
      );
    }
    // Each count reads the status index over every row of the run (pg_stat_statements, one B6
    // run at 60,000 rows: 191 counts of 15 ms each), and B6 charges PostgreSQL's CPU to the
    // pipeline. Far from the end (rows finish at thousands a second) a poll every 200 ms loses
    // no precision; near it, every 20 ms.
    const waiting = pending.rows[0].n;
    await sleep(waiting === 0 ? 100 : waiting > 2000 ? 200 : 20);
  }
}

const accepted = (result: AutocannonResult) => result['2xx'];

export async function run(): Promise<void> {
  const root = findRepoRoot();
  const brokerDir = path.join(root, '.data', 'bench-box-kafka');
  const external = process.env.KAFKA_BROKERS?.split(',');
  const broker = external
    ? null
    : await startThrowawayBroker({ root, dataDir: brokerDir, ...BROKER });
  const brokers = external ?? broker!.brokers;
  const database = await throwawayDatabase('bench_box');
  let tracker: Tracker | null = null;
  const db = new Client({ connectionString: database.url });
  try {
    tracker = await startTracker({
      root,
      brokers,
      databaseUrl: database.url,
      adminToken: ADMIN_TOKEN,
      name: 'bench-box',
      processes: PROCESSES,
      // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`: the supervisor passes its flags to every app.
      nodeArgs: (process.env.BENCH_TRACKER_NODE_ARGS ?? '').split(' ').filter(Boolean),
    });
    await db.connect();
    const { accountId, integrationId, clicks } = await seed(tracker.baseUrl);
    print(`tracker: TRACKER_PROCESSES=${PROCESSES}, ${CLICKS} clicks seeded`);

    const bare = await startBareFastify(root);
    const reference = await autocannon({
      url: bare.url,
      connections: CONNECTIONS,
      pipelining: 1,
      duration: 10,
    });
    await stopChild(bare.child);
    const rate = Math.round(reference.requests.average * RATE_SHARE);
    print(
      `reference: bare Fastify ${fmt(reference.requests.average)} req/s (${CONNECTIONS} connections)`,
    );

    // B6: warm-up, then the measured run, both at the fixed rate.
    const url = `${tracker.baseUrl}/`;
    const warm = await autocannon({
      url,
      connections: CONNECTIONS,
      pipelining: 1,
      duration: WARMUP_SECONDS,
      overallRate: rate,
      requests: pocketTraffic(integrationId, clicks),
    });
    const batchesBefore = await consumerBatches(tracker.baseUrl);
    const processes = trackerProcesses(tracker.child.pid!);
    const cpu = cpuPerUnit({
      ...processes,
      broker: broker ? brokerPid(brokerDir) : undefined,
    });
    const rss = new RssSampler(new Map(Object.entries(processes)));
    const load = await autocannon({
      url,
      connections: CONNECTIONS,
      pipelining: 1,
      duration: SECONDS,
      overallRate: rate,
      requests: pocketTraffic(integrationId, clicks),
    });
    const finalMs = await msUntilFinal(db, accountId, accepted(warm) + accepted(load));
    const peakRss = rss.stop();
    // From the load's start until all is final: what each accepted postback cost, per process.
    const cpuPerPostback = cpu(accepted(load));
    const batchesAfter = await consumerBatches(tracker.baseUrl);
    const acceptedRate = accepted(load) / SECONDS;
    print(
      `B6  asked ${rate}/s (${RATE_SHARE} × reference) for ${SECONDS} s: accepted ${fmt(acceptedRate)}/s ` +
        `(ratio ${fmt(acceptedRate / reference.requests.average, 3)}), p50 ${load.latency.p50} ms, ` +
        `p99 ${load.latency.p99} ms, non-2xx ${load.non2xx + load.errors + load.timeouts}; ` +
        `all ${accepted(warm) + accepted(load)} final in the log ${fmt(finalMs)} ms after the load stopped`,
    );
    print(`B6  CPU per accepted postback (load and drain): ${cpuPerPostback}`);
    print(`B6  messages per handler batch: ${batchSizes(batchesBefore, batchesAfter)}`);
    const largest = Math.max(...peakRss.values());
    print(
      `B5  peak RSS under B6: ${[...peakRss].map(([name, mb]) => `${name} ${fmt(mb)} MB`).join(', ')}` +
        ` → ${largest <= 256 ? 'met' : 'missed'} (≤ 256 MB per process)`,
    );
    print(`B6  postback log rows: ${await logRowWrites(db)}`);
    const b6 =
      acceptedRate >= rate * 0.98 && load.latency.p99 <= 50 && load.non2xx === 0 && finalMs <= 1000;
    print(`B6  target: ≥ 0.1 of reference, p99 ≤ 50 ms, final ≤ 1 s → ${b6 ? 'met' : 'missed'}`);

    // B7: one hot click.
    const hot = clicks[0];
    const before = await hotDeposits(db, hot);
    const hotLoad = await autocannon({
      url,
      connections: 50,
      pipelining: 1,
      duration: HOT_SECONDS,
      overallRate: HOT_RATE,
      requests: hotClickTraffic(integrationId, hot),
    });
    const expected = before.count + accepted(hotLoad);
    await waitFor(
      async () => (await hotDeposits(db, hot)).count >= expected,
      FINAL_TIMEOUT_MS,
      'hot deposits',
      50,
    );
    const after = await hotDeposits(db, hot);
    const consecutive = after.maxOrdinal === after.count && after.distinctOrdinals === after.count;
    print(
      `B7  one click at ${HOT_RATE}/s for ${HOT_SECONDS} s: accepted ${accepted(hotLoad)}, p99 ${hotLoad.latency.p99} ms, ` +
        `non-2xx ${hotLoad.non2xx + hotLoad.errors + hotLoad.timeouts}; ${after.count} deposits attributed, ` +
        `ordinals ${consecutive ? `1..${after.count} consecutive` : 'NOT consecutive'}`,
    );
    print(
      `B7  target: p99 ≤ 50 ms, all attributed, consecutive → ${hotLoad.latency.p99 <= 50 && consecutive ? 'met' : 'missed'}`,
    );
  } finally {
    await db.end().catch(() => undefined);
    if (tracker) await tracker.stop();
    await database.drop().catch(() => undefined);
    if (broker) {
      await broker.stop();
      wipeBroker(brokerDir);
    }
  }
}

/**
 * How the log's rows were written so far: a row inserted whole (its postback and outcome in one
 * write) costs one insert, else an insert and an update (never HOT: its status is indexed).
 * PostgreSQL's table counters, flushed within about a second.
 */
async function logRowWrites(db: Client): Promise<string> {
  await sleep(1000);
  const { rows } = await db.query(
    `SELECT n_tup_ins::int AS inserted, n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot
       FROM pg_stat_user_tables WHERE schemaname = 'postback_log' AND relname = 'postback_logs'`,
  );
  const { inserted, updated, hot } = rows[0] ?? { inserted: 0, updated: 0, hot: 0 };
  return `${inserted} inserted, ${updated} updated (${hot} HOT)`;
}

/** The hot click's attributed deposits in attribution's model. */
async function hotDeposits(
  db: Client,
  clickId: string,
): Promise<{ count: number; maxOrdinal: number; distinctOrdinals: number }> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS count, coalesce(max(ordinal), 0)::int AS max,
            count(DISTINCT ordinal)::int AS distinct
       FROM attribution.postbacks
      WHERE click_id = $1 AND status = 'attributed' AND ordinal IS NOT NULL`,
    [clickId],
  );
  return { count: rows[0].count, maxOrdinal: rows[0].max, distinctOrdinals: rows[0].distinct };
}

type BatchTotals = Map<string, { sum: number; count: number }>;

/** Each consumer's handled messages and handler calls so far, from the tracker's `/metrics`. */
async function consumerBatches(baseUrl: string): Promise<BatchTotals> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const totals: BatchTotals = new Map();
  const sample =
    /^tracker_consumer_batch_messages_(sum|count)\{(?:[^}]*,)?consumer="([^"]+)"[^}]*\} (\S+)$/gm;
  for (const [, kind, consumer, value] of text.matchAll(sample)) {
    const entry = totals.get(consumer) ?? { sum: 0, count: 0 };
    entry[kind as 'sum' | 'count'] += Number(value);
    totals.set(consumer, entry);
  }
  return totals;
}

/** `consumer N` (mean messages per handler call between the two readings) per consumer. */
function batchSizes(before: BatchTotals, after: BatchTotals): string {
  return [...after]
    .map(([consumer, { sum, count }]) => {
      const calls = count - (before.get(consumer)?.count ?? 0);
      const messages = sum - (before.get(consumer)?.sum ?? 0);
      return `${consumer} ${calls > 0 ? fmt(messages / calls, 1) : '-'}`;
    })
    .join(', ');
}
