/**
 * B2 of SPEC section 8: freshness. Postbacks arrive at 2,000/s at the all-in-one tracker
 * (`node dist/apps/tracker/main.js`, a child process); for a sample of them the time from the
 * ingress' 200 to the moment `GET /api/postback-logs/:id` shows the final status is measured
 * by polling each sampled id. Every postback is a registration or a deposit of a click
 * registered beforehand, so the final status is `attributed`. Target: p99 ≤ 1 s.
 *
 * A throwaway broker on 39092 (data under .data/bench-freshness-kafka, wiped afterwards) takes
 * the load, never the shared dev broker; the database is a fresh one on DATABASE_URL's server
 * (or the embedded PostgreSQL), dropped afterwards.
 *
 * Knobs: BENCH_FRESHNESS_RATE (2000/s), BENCH_FRESHNESS_SECONDS (15, measured after
 * BENCH_FRESHNESS_WARMUP = 5 s at the same rate, not sampled), BENCH_FRESHNESS_SAMPLE
 * (every 100th postback: the polls hit the same process, so denser sampling slows what it
 * measures), BENCH_FRESHNESS_POLL_MS (25).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createDatabase,
  ensureLocalKafka,
  ensureLocalPostgres,
  findRepoRoot,
  LocalKafkaHandle,
  stopLocalKafka,
} from '@tracker/local-infra';
import { Client } from 'pg';

const RATE = Number(process.env.BENCH_FRESHNESS_RATE ?? 2000);
const SECONDS = Number(process.env.BENCH_FRESHNESS_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_FRESHNESS_WARMUP ?? 5);
const SAMPLE_EVERY = Number(process.env.BENCH_FRESHNESS_SAMPLE ?? 100);
const POLL_MS = Number(process.env.BENCH_FRESHNESS_POLL_MS ?? 25);
const DEPOSITS_PER_CLICK = 9;
const TARGET_P99_MS = 1000;
const DRAIN_TIMEOUT_MS = 30000;
const BROKER = { port: 39092, controllerPort: 39093 };

const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} not ready within ${timeoutMs} ms`);
}

/** The throwaway broker; jars copied from the dev broker's home when present (no Maven run). */
async function startBroker(dataDir: string, root: string): Promise<LocalKafkaHandle> {
  await stopLocalKafka({ ...BROKER, dataDir }); // left over by an interrupted run
  wipeBroker(dataDir);
  const jars = path.join(root, '.data', 'kafka', 'libs');
  if (!existsSync(path.join(dataDir, 'libs')) && existsSync(path.join(jars, '.resolved'))) {
    cpSync(jars, path.join(dataDir, 'libs'), { recursive: true });
  }
  // The port can stay unbindable for a while after the last run's broker (TIME_WAIT): retry.
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureLocalKafka({ ...BROKER, dataDir, log: () => undefined });
    } catch (error) {
      if (attempt === 6) throw error;
      print(`  broker did not start (${(error as Error).message.split('\n')[0]}); retrying`);
      await stopLocalKafka({ ...BROKER, dataDir });
      wipeBroker(dataDir);
      await sleep(10000);
    }
  }
}

/** Everything but the resolved jars (re-resolving them would mean a Maven run next time). */
function wipeBroker(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) {
    if (entry !== 'libs') rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  }
}

/** A fresh database on DATABASE_URL's server, else on the embedded PostgreSQL (stopped after). */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const embedded = process.env.DATABASE_URL
    ? null
    : await ensureLocalPostgres({ log: () => undefined });
  const server = process.env.DATABASE_URL ?? embedded!.url;
  const name = `bench_freshness_${randomBytes(4).toString('hex')}`;
  const url = await createDatabase(server, name);
  return {
    url,
    drop: async () => {
      const client = new Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
        await embedded?.stop();
      }
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL process (the server is shared, so this is an upper bound). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        total += cpuSeconds(Number(entry));
      }
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine, from /proc/stat. */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** Where the cores went while the load ran: tracker, broker, this process, PostgreSQL, the rest. */
function cpuSplit(pids: Record<string, number | undefined>): () => string {
  const read = () => ({
    own: {
      ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
      postgres: postgresCpuSeconds(),
    } as Record<string, number>,
    machine: machineBusySeconds(),
    at: Date.now(),
  });
  const start = read();
  return () => {
    const end = read();
    const wall = (end.at - start.at) / 1000;
    const pct = (seconds: number) => `${((seconds / wall) * 100).toFixed(0)}%`;
    let ours = 0;
    const parts = [...Object.keys(pids), 'postgres'].map((name) => {
      const used = end.own[name] - start.own[name];
      ours += used;
      return `${name} ${pct(used)}`;
    });
    const machine = end.machine - start.machine;
    parts.push(`other processes ${pct(Math.max(0, machine - ours))}`);
    return `${parts.join(', ')} (machine ${pct(machine)} of ${os.cpus().length * 100}%)`;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Sample {
  id: string;
  acceptedAt: number;
  finalAt?: number;
  status?: string;
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
      `every ${SAMPLE_EVERY}th polled by id every ${POLL_MS} ms; ${clicks} clicks`,
  );
  const brokerDir = path.join(root, '.data', 'bench-freshness-kafka');
  const broker = await startBroker(brokerDir, root);
  const database = await freshDatabase();
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'bench-freshness-spool-'));
  const port = await freePort();
  const adminToken = `bench-admin-${randomBytes(12).toString('hex')}`;
  const tracker = spawn(process.execPath, [path.join(root, 'dist/apps/tracker/main.js')], {
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
    // One round polls every pending sample by id, at most every POLL_MS.
    const poller = (async () => {
      while (!loadDone || pending.size > 0) {
        const round = [...pending].map(async (sample) => {
          const reply = await setup.api.request('GET', `/api/postback-logs/${sample.id}`);
          polls++;
          if (reply.status !== 200) return; // not projected yet
          const { status } = JSON.parse(reply.body) as { status: string };
          if (status === 'received' || status === 'unmatched') return;
          sample.finalAt = reply.at;
          sample.status = status;
          pending.delete(sample);
        });
        await Promise.all([...round, sleep(POLL_MS)]);
        if (loadDone && pending.size > 0 && performance.now() > drainDeadline) break;
      }
    })();

    let brokerPid: number | undefined;
    try {
      brokerPid = Number(readFileSync(path.join(brokerDir, 'broker.pid'), 'utf8').trim());
    } catch {
      brokerPid = undefined; // a reused broker: not ours to account
    }
    const cpu = cpuSplit({ tracker: tracker.pid, broker: brokerPid, bench: process.pid });
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
    const cpuDuringLoad = cpu();
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
        `${polls} log API polls on the same process (${(polls / sendSeconds).toFixed(0)}/s)`,
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
