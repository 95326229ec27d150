/**
 * B2 of SPEC section 8: freshness. Postbacks arrive at 2,000/s at the all-in-one tracker
 * (`node dist/apps/tracker/main.js`, a child process); for a sample of them the time from the
 * ingress' 200 to the moment `GET /api/postback-logs/:id` shows the final status is measured:
 * the log's table is polled for the sampled ids, and the API read for each that looks final. Every postback is a registration or a deposit of a click
 * registered beforehand, so the final status is `attributed`. Target: p99 ≤ 1 s.
 *
 * A throwaway broker on 39092 (data under .data/bench-freshness-kafka, wiped afterwards) takes
 * the load, never the shared dev broker; the database is a fresh one on DATABASE_URL's server
 * (or the embedded PostgreSQL), dropped afterwards.
 *
 * Knobs: BENCH_FRESHNESS_RATE (2000/s), BENCH_FRESHNESS_SECONDS (15, measured after
 * BENCH_FRESHNESS_WARMUP = 5 s at the same rate, not sampled), BENCH_FRESHNESS_SAMPLE
 * (every 100th postback: each sample costs the tracker an API read, so denser sampling slows
 * what it measures), BENCH_FRESHNESS_POLL_MS (25), BENCH_NODE_ARGS (extra node flags for the tracker,
 * e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { findRepoRoot } from '@tracker/local-infra';
import { freePort } from '@tracker/testing';
import { Client } from 'pg';
import { Tables as AttributionTables } from '../../apps/attribution/src/shared/schema';
import { print } from './support/output';
import { cpuSplit, stopChild } from './support/processes';
import { percentile } from './support/stats';
import { brokerPid, startThrowawayBroker, wipeBroker } from './support/throwaway-broker';
import { throwawayDatabase } from './support/throwaway-database';
import { sleep, waitFor } from './support/wait';

const RATE = Number(process.env.BENCH_FRESHNESS_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_FRESHNESS_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_FRESHNESS_WARMUP ?? 5);
const SAMPLE_EVERY = Number(process.env.BENCH_FRESHNESS_SAMPLE ?? 100);
const POLL_MS = Number(process.env.BENCH_FRESHNESS_POLL_MS ?? 25);
const TRACKER_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const DEPOSITS_PER_CLICK = 9;
const TARGET_P99_MS = 1000;
const DRAIN_TIMEOUT_MS = 30000;
const BROKER = { port: 39092, controllerPort: 39093 };

interface Reply {
  status: number;
  body: string;
  /** performance.now() when the whole answer was in. */
  at: number;
}

/** Keep-alive HTTP: the load generator must be cheaper than the server it measures. */
class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  constructor(
    private readonly port: number,
    private readonly headers: Record<string, string> = {},
  ) {}

  request(method: string, urlPath: string, body?: unknown): Promise<Reply> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path: urlPath,
          agent: this.agent,
          headers: {
            ...this.headers,
            ...(payload !== undefined && { 'content-type': 'application/json' }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              at: performance.now(),
            }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Sample {
  id: string;
  acceptedAt: number;
  finalAt?: number;
  status?: string;
}

/**
 * The two halves of each sample's way, from attribution's own timestamps: the ingress' receivedAt
 * to the decision (judged_at), and the decision to the poll that saw it in the log (outbox
 * relay, outcomes topic, postback-log projection). Wall clock on both sides: one machine.
 */
async function hopLatencies(
  databaseUrl: string,
  samples: Sample[],
): Promise<Record<'judged' | 'shown', { p50: number; p99: number }>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; received: number; judged: number }>(
      `SELECT postback_id AS id, extract(epoch FROM received_at) * 1000 AS received,
              extract(epoch FROM judged_at) * 1000 AS judged
         FROM ${AttributionTables.postbacks} WHERE postback_id = ANY($1::uuid[])`,
      [samples.map((sample) => sample.id)],
    );
    const finalAt = new Map(samples.map((s) => [s.id, s.finalAt]));
    const judged: number[] = [];
    const shown: number[] = [];
    for (const row of rows) {
      judged.push(Number(row.judged) - Number(row.received));
      const seen = finalAt.get(row.id);
      shown.push(
        seen === undefined ? Infinity : performance.timeOrigin + seen - Number(row.judged),
      );
    }
    const summary = (values: number[]) => {
      const sorted = values.sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    return { judged: summary(judged), shown: summary(shown) };
  } finally {
    await db.end();
  }
}

/** Creates the account, the integration and the clicks every postback will refer to. */
async function setUp(port: number, adminToken: string, clicks: number) {
  const admin = new HttpClient(port, { authorization: `Bearer ${adminToken}` });
  const account = await admin.request('POST', '/api/accounts', { name: 'Freshness bench' });
  admin.close();
  if (account.status !== 201) throw new Error(`account: ${account.status} ${account.body}`);
  const { apiKey } = JSON.parse(account.body) as { apiKey: string };
  const api = new HttpClient(port, { authorization: `Bearer ${apiKey}` });
  const created = await api.request('POST', '/api/integrations', {
    template: 'pocket-option-revshare',
  });
  if (created.status !== 201) throw new Error(`integration: ${created.status} ${created.body}`);
  const integration = JSON.parse(created.body) as {
    id: string;
    events: Array<{ name: string; postbackUrl: string }>;
  };
  const pathOf = (name: string) => {
    const url = new URL(integration.events.find((e) => e.name === name)!.postbackUrl);
    return `${url.pathname}${url.search}`;
  };
  const clickIds: string[] = [];
  for (let i = 0; i < clicks; i += 50) {
    const answers = await Promise.all(
      Array.from({ length: Math.min(50, clicks - i) }, () =>
        api.request('POST', '/api/clicks', { integrationId: integration.id, campaign: 'bench' }),
      ),
    );
    for (const answer of answers) {
      if (answer.status !== 201) throw new Error(`click: ${answer.status} ${answer.body}`);
      clickIds.push((JSON.parse(answer.body) as { clickId: string }).clickId);
    }
  }
  // Postbacks must find their click: wait until attribution has projected the last ones.
  for (const clickId of clickIds.slice(-20)) {
    await waitFor(
      async () => (await api.request('GET', `/api/clicks/${clickId}`)).status === 200,
      60000,
      `click ${clickId}`,
      100,
    );
  }
  return { api, registration: pathOf('registration'), resale: pathOf('resale'), clickIds };
}

export async function run(): Promise<void> {
  const root = findRepoRoot();
  const total = RATE * (SECONDS + WARMUP_SECONDS);
  const clicks = Math.ceil(total / (1 + DEPOSITS_PER_CLICK));
  print(
    `B2 freshness: ${RATE} postbacks/s for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up), ` +
      `every ${SAMPLE_EVERY}th sampled, its final status looked for every ${POLL_MS} ms; ${clicks} clicks`,
  );
  const brokerDir = path.join(root, '.data', 'bench-freshness-kafka');
  const broker = await startThrowawayBroker({ root, dataDir: brokerDir, ...BROKER, attempts: 6 });
  const database = await throwawayDatabase('bench_freshness', { stopEmbedded: true });
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'bench-freshness-spool-'));
  const port = await freePort();
  const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
  const main = path.join(root, 'dist/apps/tracker/main.js');
  const tracker = spawn(process.execPath, [...TRACKER_NODE_ARGS, main], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS: broker.brokers.join(','),
      DATABASE_URL: database.url,
      TRACKER_ADMIN_TOKEN: adminToken,
      KAFKA_GROUP_PREFIX: 'bench-freshness',
      SPOOL_DIR: spoolDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ingress = new HttpClient(port);
  let api: HttpClient | undefined;
  try {
    await waitFor(
      async () => (await ingress.request('GET', '/health/ready')).status === 200,
      120000,
      'tracker',
      100,
    );
    const setup = await setUp(port, adminToken, clicks);
    api = setup.api;
    const pathFor = (index: number) => {
      const click = setup.clickIds[index % clicks];
      const round = Math.floor(index / clicks);
      // Round 0 registers every click, later rounds are its deposits (distinct tids: no duplicates).
      return round === 0
        ? `${setup.registration}&click_id=${click}`
        : `${setup.resale}&click_id=${click}&sumdep=${round}0.00&tracker.tid=d${round}`;
    };

    const samples: Sample[] = [];
    const pending = new Set<Sample>();
    let sent = 0;
    let failed = 0;
    let loadDone = false;
    let polls = 0;
    let drainDeadline = Infinity;
    // One round, at most every POLL_MS, asks the log's table which pending samples look final
    // (one indexed query for all of them), then the log API for each of those: a sample is
    // final when the API shows it so. Asking the API for every pending sample every round was
    // 455 to 800 requests/s through the tracker's port, a load that grew with the latency it
    // measured.
    const probe = new Client({ connectionString: database.url });
    await probe.connect();
    const poller = (async () => {
      while (!loadDone || pending.size > 0) {
        const byId = new Map([...pending].map((sample) => [sample.id, sample]));
        const looked =
          byId.size === 0
            ? { rows: [] as Array<{ id: string }> }
            : await probe.query<{ id: string }>(
                `SELECT id::text AS id FROM postback_log.postback_logs
                  WHERE id = ANY($1::uuid[]) AND received_at IS NOT NULL
                    AND status NOT IN ('received', 'unmatched')`,
                [[...byId.keys()]],
              );
        const round = looked.rows.map(async ({ id }) => {
          const sample = byId.get(id)!;
          const reply = await setup.api.request('GET', `/api/postback-logs/${sample.id}`);
          polls++;
          if (reply.status !== 200) return;
          const { status } = JSON.parse(reply.body) as { status: string };
          if (status === 'received' || status === 'unmatched') return;
          sample.finalAt = reply.at;
          sample.status = status;
          pending.delete(sample);
        });
        await Promise.all([...round, sleep(POLL_MS)]);
        if (loadDone && pending.size > 0 && performance.now() > drainDeadline) break;
      }
    })().finally(() => probe.end());

    const cpu = cpuSplit(
      { tracker: tracker.pid, broker: brokerPid(brokerDir), bench: process.pid },
      { postgres: true },
    );
    const started = performance.now();
    const inFlight = new Set<Promise<void>>();
    const warmup = RATE * WARMUP_SECONDS;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
      for (; sent < due; sent++) {
        const index = sent;
        const sampled = index >= warmup && index % SAMPLE_EVERY === 0;
        const request = ingress
          .request('GET', pathFor(index))
          .then((reply) => {
            if (reply.status !== 200) {
              failed++;
              return;
            }
            if (!sampled) return;
            const sample: Sample = {
              id: (JSON.parse(reply.body) as { id: string }).id,
              acceptedAt: reply.at,
            };
            samples.push(sample);
            pending.add(sample);
          })
          .catch(() => {
            failed++;
          });
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
      }
      await sleep(2);
    }
    const sendSeconds = (performance.now() - started) / 1000;
    const cpuSplitDuringLoad = cpu();
    const cpuDuringLoad = `${cpuSplitDuringLoad.processes} (${cpuSplitDuringLoad.machine})`;
    await Promise.all(inFlight);
    loadDone = true;
    drainDeadline = performance.now() + DRAIN_TIMEOUT_MS;
    await poller;

    const latencies = samples
      .map((s) => (s.finalAt === undefined ? Infinity : s.finalAt - s.acceptedAt))
      .sort((a, b) => a - b);
    const unresolved = samples.filter((s) => s.finalAt === undefined).length;
    const notAttributed = samples.filter((s) => s.status && s.status !== 'attributed').length;
    const p50 = percentile(latencies, 50);
    const p95 = percentile(latencies, 95);
    const p99 = percentile(latencies, 99);
    const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : 'never');
    print(
      `  sent ${sent} postbacks in ${sendSeconds.toFixed(1)} s ` +
        `(${(sent / sendSeconds).toFixed(0)}/s), ${failed} not 200; ` +
        `${polls} log API reads of samples the table showed final (${(polls / sendSeconds).toFixed(0)}/s)`,
    );
    print(
      `  ${samples.length} sampled: p50 ${ms(p50)}, p95 ${ms(p95)}, p99 ${ms(p99)}, ` +
        `max ${ms(latencies[latencies.length - 1])} ` +
        `(±${POLL_MS} ms poll resolution); ${unresolved} not final within ` +
        `${DRAIN_TIMEOUT_MS / 1000} s after the load, ${notAttributed} final but not attributed`,
    );
    // A latency that grows from third to third means a backlog (throughput below the rate), not noise.
    const thirds = [0, 1, 2].map((third) => {
      const part = samples.slice(
        Math.floor((third * samples.length) / 3),
        Math.floor(((third + 1) * samples.length) / 3),
      );
      const sorted = part
        .map((s) => (s.finalAt === undefined ? Infinity : s.finalAt - s.acceptedAt))
        .sort((a, b) => a - b);
      return `${ms(percentile(sorted, 50))}/${ms(percentile(sorted, 99))}`;
    });
    print(`  p50/p99 by third of the load: ${thirds.join(', ')}`);
    const hops = await hopLatencies(database.url, samples);
    print(
      `  where the time goes (sampled): ingress → attribution's decision p50 ${ms(hops.judged.p50)}, ` +
        `p99 ${ms(hops.judged.p99)}; decision → final status in the log p50 ${ms(hops.shown.p50)}, ` +
        `p99 ${ms(hops.shown.p99)}`,
    );
    print(`  CPU during the load: ${cpuDuringLoad}`);
    const pass = p99 <= TARGET_P99_MS && failed === 0 && notAttributed === 0;
    print(
      `  B2 ${pass ? 'PASS' : 'FAIL'}: p99 ${ms(p99)} (target ≤ ${TARGET_P99_MS} ms at ${RATE}/s)`,
    );
  } finally {
    ingress.close();
    api?.close();
    await stopChild(tracker);
    await broker.stop();
    wipeBroker(brokerDir);
    rmSync(spoolDir, { recursive: true, force: true });
    await database.drop().catch(() => undefined);
  }
}
