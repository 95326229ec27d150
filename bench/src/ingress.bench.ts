/**
 * B1 and B5 of SPEC section 8: accepted postbacks/s at the ingress (durable, acks=all) for a
 * Pocket-style GET, next to a bare Fastify hello-world measured with the same load tool and
 * settings in the same run; then p99 at half that rate; then the RSS of each of the four apps
 * (ingress, registry, postback-log, attribution as separate processes) under the same load.
 * Servers run as child processes so the load generator (autocannon, in this process) never
 * shares their event loop. Unless KAFKA_BROKERS is set, a throwaway broker under
 * .data/bench-kafka (wiped on every run) takes the load instead of the shared dev broker.
 *
 * Knobs: BENCH_CONNECTIONS (100), BENCH_PIPELINING (1), BENCH_DURATION (10 s), BENCH_SKIP_B5=1,
 * BENCH_NODE_ARGS (extra node flags for the ingress, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEvent, IntegrationChangedPayload, Topics } from '@tracker/contracts';
import { createKafkaClient, EventProducer } from '@tracker/kafka';
import {
  createDatabase,
  ensureLocalKafka,
  ensureLocalPostgres,
  findRepoRoot,
  LocalKafkaHandle,
  stopLocalKafka,
} from '@tracker/local-infra';
import { Client } from 'pg';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; average: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
  overallRate?: number;
  requests?: Array<{ setupRequest: (request: { path: string }) => { path: string } }>;
}

// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const PIPELINING = Number(process.env.BENCH_PIPELINING ?? 1);
const DURATION_S = Math.max(10, Number(process.env.BENCH_DURATION ?? 10));
const WARMUP_S = 3;
const SKIP_B5 = process.env.BENCH_SKIP_B5 === '1';
const INGRESS_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const RSS_LIMIT_MB = 256;
/** The throwaway broker: ports away from the shared 9092 and the outage test's 19092. */
const BENCH_BROKER = { port: 29092, controllerPort: 29093 };
const CONSUMER_APPS = ['registry', 'postback-log', 'attribution'] as const;

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const print = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    await sleep(200);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Peak RSS per process, sampled every 250 ms from /proc/<pid>/status while a phase runs. */
class RssSampler {
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: Map<string, number>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  stop(): Map<string, number> {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, rssMb(pid)));
    }
  }
}

/** CPU seconds (user + system) a process used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine, from /proc/stat. */
function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** Where the 2 cores went during a run: our processes vs everything else on the machine. */
function cpuSplit(pids: Map<string, number>): () => string {
  const start = new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
  const machineStart = machineBusySeconds();
  const startedAt = Date.now();
  return () => {
    const wall = (Date.now() - startedAt) / 1000;
    const parts: string[] = [];
    let ours = 0;
    for (const [name, pid] of pids) {
      const used = cpuSeconds(pid) - start.get(name)!;
      ours += used;
      parts.push(`${name} ${fmt((used / wall) * 100)}%`);
    }
    const machine = machineBusySeconds() - machineStart;
    parts.push(`other processes ${fmt(Math.max(0, (machine - ours) / wall) * 100)}%`);
    parts.push(`machine ${fmt((machine / wall) * 100)}% of ${os.cpus().length * 100}%`);
    return parts.join(', ');
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

/**
 * A broker only this benchmark writes to, so B1's flood of PostbackReceived events on
 * tracker.postbacks.v1 never reaches the shared dev broker other suites read. Its data is
 * wiped first; the jars are copied from the dev broker's home when present (no Maven run).
 */
async function startBenchBroker(root: string): Promise<LocalKafkaHandle> {
  const dataDir = path.join(root, '.data', 'bench-kafka');
  const jars = path.join(root, '.data', 'kafka', 'libs');
  await stopLocalKafka({ ...BENCH_BROKER, dataDir }); // left over by an interrupted run
  if (existsSync(dataDir)) {
    for (const entry of readdirSync(dataDir)) {
      if (entry !== 'libs') rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    }
  } else if (existsSync(path.join(jars, '.resolved'))) {
    cpSync(jars, path.join(dataDir, 'libs'), { recursive: true });
  }
  return ensureLocalKafka({ ...BENCH_BROKER, dataDir, log: () => undefined });
}

function brokerPid(root: string): number | undefined {
  try {
    const file = path.join(root, '.data', 'bench-kafka', 'broker.pid');
    return Number(readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

const BARE_FASTIFY = `
const fastify = require('fastify')({ logger: false });
fastify.get('/', async () => ({ hello: 'world' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;

async function startBareFastify(root: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', BARE_FASTIFY], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(async () => (await fetch(url)).ok, 15000, 'bare Fastify');
  return { child, url };
}

interface AppEnv {
  brokers: string[];
  groupPrefix: string;
  spoolDir: string;
  databaseUrl?: string;
  adminToken: string;
}

/** One app as production runs it: `node dist/apps/<app>/main.js`. */
async function startApp(
  root: string,
  app: string,
  env: AppEnv,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(root, `dist/apps/${app}/main.js`)],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        KAFKA_BROKERS: env.brokers.join(','),
        KAFKA_GROUP_PREFIX: env.groupPrefix,
        SPOOL_DIR: env.spoolDir,
        ...(env.databaseUrl && { DATABASE_URL: env.databaseUrl }),
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
        TRACKER_ADMIN_TOKEN: env.adminToken,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${baseUrl}/health/live`)).ok, 120000, app);
  return { child, baseUrl };
}

async function seedIntegration(brokers: string[]): Promise<IntegrationChangedPayload> {
  const producer = new EventProducer(createKafkaClient({ brokers, clientId: 'bench-ingress' }));
  await producer.connect();
  const now = new Date().toISOString();
  const integration: IntegrationChangedPayload = {
    id: randomUUID(),
    accountId: randomUUID(),
    name: 'B1 bench',
    template: 'pocket-option-revshare',
    clickIdParam: 'click_id',
    amountParam: 'sumdep',
    defaultCurrency: 'USD',
    fieldParams: { trader_id: 'trader_id' },
    enabled: true,
    createdAt: now,
    updatedAt: now,
    rateLimitPerSecond: null,
    events: [{ name: 'resale', label: 'Deposit', kind: 'deposit', params: { currency: 'usd' } }],
    registrationLinks: [],
  };
  const event = createEvent('IntegrationChanged', integration, {
    accountId: integration.accountId,
    integrationId: integration.id,
  });
  await producer.publish(Topics.Integrations, event, integration.id);
  await producer.disconnect();
  return integration;
}

/** Pocket Option style postback; the click id varies so keys spread over partitions. */
function pocketRequests(integrationId: string) {
  let n = 0;
  const base = `/api/postbacks/${integrationId}/tracker-postback?tracker.event=resale&currency=usd`;
  return [
    {
      setupRequest: (request: { path: string }) => {
        n += 1;
        const clickId = `Bench${(n % 100000).toString().padStart(7, '0')}`;
        return {
          ...request,
          path: `${base}&click_id=${clickId}&sumdep=50&trader_id=${48213977 + (n % 1000)}`,
        };
      },
    },
  ];
}

const load = (url: string, extra: Partial<AutocannonOptions> = {}) =>
  autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    duration: DURATION_S,
    ...extra,
  });

const errorsOf = (result: AutocannonResult) => result.non2xx + result.errors + result.timeouts;

async function benchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server =
    process.env.DATABASE_URL ?? (await ensureLocalPostgres({ log: () => undefined })).url;
  const name = `bench_b5_${randomBytes(4).toString('hex')}`;
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
      }
    },
  };
}

/** Produce requests and messages so far, from the ingress' own /metrics. */
async function produceStats(baseUrl: string): Promise<{ batches: number; messages: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    batches: value('tracker_kafka_produce_batch_messages_count'),
    messages: value('tracker_kafka_produce_batch_messages_sum'),
  };
}

interface Verdict {
  target: string;
  figure: string;
  pass: boolean;
}

export async function run(): Promise<void> {
  const root = findRepoRoot();
  const broker = process.env.KAFKA_BROKERS ? null : await startBenchBroker(root);
  const brokers = broker?.brokers ?? process.env.KAFKA_BROKERS!.split(',');
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'bench-ingress-spool-'));
  const env: AppEnv = {
    brokers,
    groupPrefix: `bench.${randomBytes(4).toString('hex')}`,
    spoolDir,
    adminToken: process.env.TRACKER_ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
  };
  print(
    `B1: autocannon ${CONNECTIONS} connections, pipelining ${PIPELINING}, ${WARMUP_S} s warm-up + ` +
      `${DURATION_S} s per run; broker ${brokers.join(',')}${broker ? ' (throwaway)' : ''}; ` +
      `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at start`,
  );
  const children: ChildProcess[] = [];
  const verdicts: Verdict[] = [];
  let dropDatabase: (() => Promise<void>) | null = null;
  try {
    const bare = await startBareFastify(root);
    children.push(bare.child);
    await load(bare.url, { duration: WARMUP_S });
    const bareSplit = cpuSplit(
      new Map([
        ['bare', bare.child.pid!],
        ['autocannon', process.pid],
      ]),
    );
    const reference = await load(bare.url);
    const bareCpu = bareSplit();
    await stopChild(bare.child);

    // The ingress creates the topics at start, so it boots before the integration is seeded.
    const ingress = await startApp(root, 'ingress', env, INGRESS_NODE_ARGS);
    children.push(ingress.child);
    const integration = await seedIntegration(brokers);
    const probe = `${ingress.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=resale`;
    await waitFor(async () => (await fetch(probe)).status === 200, 30000, 'integration in cache');
    const requests = pocketRequests(integration.id);
    const rssPids = new Map([['ingress', ingress.child.pid!]]);
    const b1Rss = new RssSampler(rssPids);
    await load(ingress.baseUrl, { duration: WARMUP_S, requests });
    const cpuPids = new Map([
      ['ingress', ingress.child.pid!],
      ['autocannon', process.pid],
    ]);
    const kafkaPid = broker ? brokerPid(root) : undefined;
    if (kafkaPid) cpuPids.set('kafka', kafkaPid);
    const ingressSplit = cpuSplit(cpuPids);
    const ingressCpuBefore = cpuSeconds(ingress.child.pid!);
    const producedBefore = await produceStats(ingress.baseUrl);
    const full = await load(ingress.baseUrl, { requests });
    const ingressCpu = ingressSplit();
    const ingressCpuSeconds = cpuSeconds(ingress.child.pid!) - ingressCpuBefore;
    const producedAfter = await produceStats(ingress.baseUrl);
    const produceRequests = producedAfter.batches - producedBefore.batches;
    const producedMessages = producedAfter.messages - producedBefore.messages;
    const accepted = full['2xx'] / full.duration;
    const halfRate = Math.max(1, Math.floor(accepted / 2));
    const half = await load(ingress.baseUrl, { overallRate: halfRate, requests });
    const ingressB1Rss = b1Rss.stop().get('ingress')!;

    const bareRate = reference.requests.average;
    const ratio = accepted / bareRate;
    print('');
    print(
      `bare Fastify hello-world    : ${fmt(bareRate)} req/s, p50 ${reference.latency.p50} ms, p99 ${reference.latency.p99} ms, non-2xx ${errorsOf(reference)}`,
    );
    print(`  CPU during the run        : ${bareCpu}`);
    print(
      `ingress (durable, acks=all) : ${fmt(accepted)} accepted postbacks/s, p50 ${full.latency.p50} ms, p99 ${full.latency.p99} ms, non-2xx ${full.non2xx}, errors ${full.errors + full.timeouts}`,
    );
    print(`  CPU during the run        : ${ingressCpu}`);
    print(
      `  ingress CPU per postback  : ${fmt((ingressCpuSeconds * 1e6) / Math.max(1, full['2xx']))} µs (noise-robust figure to compare runs)`,
    );
    print(
      `  Kafka produce requests    : ${fmt(produceRequests / full.duration)}/s, ${fmt(producedMessages / Math.max(1, produceRequests), 1)} messages each`,
    );
    print(`ratio ingress / bare        : ${fmt(ratio, 2)} (target ≥ 0.5)`);
    print(
      `half rate (${halfRate}/s)      : ${fmt(half['2xx'] / half.duration)} accepted/s, p50 ${half.latency.p50} ms, p99 ${half.latency.p99} ms, non-2xx ${half.non2xx}, errors ${half.errors + half.timeouts}`,
    );
    print(`ingress peak RSS under B1   : ${fmt(ingressB1Rss)} MB`);
    const non2xx = errorsOf(full) + errorsOf(half);
    verdicts.push(
      { target: 'B1 ratio ≥ 0.5', figure: fmt(ratio, 2), pass: ratio >= 0.5 },
      {
        target: 'B1 p99 ≤ 50 ms at half rate',
        figure: `${half.latency.p99} ms`,
        pass: half.latency.p99 <= 50,
      },
      { target: 'B1 0 non-2xx', figure: String(non2xx), pass: non2xx === 0 },
    );

    if (!SKIP_B5) {
      // B5: every app in its own process, the consumers working off the B1 flood meanwhile.
      const database = await benchDatabase();
      dropDatabase = database.drop;
      const apps = await Promise.all(
        CONSUMER_APPS.map((app) => startApp(root, app, { ...env, databaseUrl: database.url })),
      );
      children.push(...apps.map(({ child }) => child));
      CONSUMER_APPS.forEach((app, i) => rssPids.set(app, apps[i].child.pid!));
      const b5Rss = new RssSampler(rssPids);
      const b5 = await load(ingress.baseUrl, { requests });
      await sleep(10000); // the consumers are still catching up: their peak comes now
      const peaks = b5Rss.stop();
      peaks.set('ingress', Math.max(peaks.get('ingress')!, ingressB1Rss));
      print(
        `B5 load (4 apps running)    : ${fmt(b5['2xx'] / b5.duration)} accepted postbacks/s, non-2xx ${errorsOf(b5)}`,
      );
      for (const [app, mb] of peaks) {
        print(`B5 peak RSS ${app.padEnd(16)}: ${fmt(mb)} MB`);
        verdicts.push({
          target: `B5 ${app} RSS ≤ ${RSS_LIMIT_MB} MB`,
          figure: `${fmt(mb)} MB`,
          pass: mb > 0 && mb <= RSS_LIMIT_MB,
        });
      }
    }

    print('');
    print('| target | figure | verdict |');
    print('|---|---|---|');
    for (const { target, figure, pass } of verdicts) {
      print(`| ${target} | ${figure} | ${pass ? 'PASS' : 'FAIL'} |`);
    }
    print('(2 shared cores: other work on the machine moves these figures; compare repeated runs)');
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    await dropDatabase?.().catch(() => undefined);
    await broker?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}
