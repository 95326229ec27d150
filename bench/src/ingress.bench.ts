/**
 * B1 and B5 of SPEC section 8: accepted postbacks/s at the ingress (durable, acks=all) for a
 * Pocket-style GET, next to a bare Fastify hello-world measured with the same load tool and
 * settings in the same run; then p99 at half that rate; and the ingress process' RSS.
 * Both servers run as child processes so the load generator (autocannon, in this process)
 * never shares their event loop.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEvent, IntegrationChangedPayload, Topics } from '@tracker/contracts';
import { createKafkaClient, EventProducer } from '@tracker/kafka';
import { ensureLocalKafka, findRepoRoot } from '@tracker/local-infra';

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
  duration: number;
  pipelining?: number;
  overallRate?: number;
  requests?: Array<{ setupRequest: (request: { path: string }) => { path: string } }>;
}

// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 3;

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
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Samples a process' RSS while a measurement runs; the peak is B5's figure. */
function sampleRss(pid: number): () => number {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 250);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb(pid));
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
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

async function startIngress(
  root: string,
  brokers: string[],
  spoolDir: string,
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist/apps/ingress/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_PREFIX: `bench.${randomBytes(4).toString('hex')}`,
      SPOOL_DIR: spoolDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      TRACKER_ADMIN_TOKEN: process.env.TRACKER_ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${baseUrl}/health/live`)).ok, 120000, 'ingress');
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
          path: `${base}&click_id=${clickId}&sumdep=50.00&trader_id=${48213977 + (n % 1000)}`,
        };
      },
    },
  ];
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const print = (line: string) => process.stdout.write(`${line}\n`);

export async function run(): Promise<void> {
  const root = findRepoRoot();
  const brokers = process.env.KAFKA_BROKERS
    ? process.env.KAFKA_BROKERS.split(',')
    : (await ensureLocalKafka({ log: () => undefined })).brokers;
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), 'bench-ingress-spool-'));
  print(`B1: ${CONNECTIONS} connections, ${DURATION_S} s per run, broker ${brokers.join(',')}`);

  const bare = await startBareFastify(root);
  let reference: AutocannonResult;
  try {
    await autocannon({ url: bare.url, connections: CONNECTIONS, duration: WARMUP_S });
    reference = await autocannon({ url: bare.url, connections: CONNECTIONS, duration: DURATION_S });
  } finally {
    await stopChild(bare.child);
  }

  // The ingress creates the topics at start, so it boots before the integration is seeded.
  const ingress = await startIngress(root, brokers, spoolDir);
  try {
    const integration = await seedIntegration(brokers);
    const probe = `${ingress.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=resale`;
    await waitFor(async () => (await fetch(probe)).status === 200, 30000, 'integration in cache');
    const url = ingress.baseUrl;
    const requests = pocketRequests(integration.id);
    const peakRss = sampleRss(ingress.child.pid!);
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP_S, requests });
    const full = await autocannon({
      url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      requests,
    });
    const accepted = full['2xx'] / full.duration;
    const halfRate = Math.max(1, Math.floor(accepted / 2));
    const half = await autocannon({
      url,
      connections: CONNECTIONS,
      duration: DURATION_S,
      overallRate: halfRate,
      requests,
    });
    const rss = peakRss();

    const bareRate = reference.requests.average;
    const ratio = accepted / bareRate;
    print('');
    print(
      `bare Fastify hello-world : ${fmt(bareRate)} req/s, p50 ${reference.latency.p50} ms, p99 ${reference.latency.p99} ms, non-2xx ${reference.non2xx}`,
    );
    print(
      `ingress (durable, acks=all): ${fmt(accepted)} accepted postbacks/s, p50 ${full.latency.p50} ms, p99 ${full.latency.p99} ms, non-2xx ${full.non2xx}, errors ${full.errors + full.timeouts}`,
    );
    print(
      `ratio ingress / bare     : ${fmt(ratio, 2)} (target ≥ 0.5) ${ratio >= 0.5 ? 'OK' : 'MISSED'}`,
    );
    print(
      `half rate (${halfRate}/s)   : p50 ${half.latency.p50} ms, p99 ${half.latency.p99} ms (target ≤ 50 ms) ${half.latency.p99 <= 50 ? 'OK' : 'MISSED'}, non-2xx ${half.non2xx}, errors ${half.errors + half.timeouts}`,
    );
    print(
      `B5 ingress peak RSS      : ${fmt(rss)} MB (target ≤ 256 MB) ${rss <= 256 ? 'OK' : 'MISSED'}`,
    );
    const non2xx = full.non2xx + half.non2xx + full.errors + half.errors;
    print(`non-2xx total            : ${non2xx} (target 0) ${non2xx === 0 ? 'OK' : 'MISSED'}`);
  } finally {
    await stopChild(ingress.child);
    rmSync(spoolDir, { recursive: true, force: true });
  }
}
