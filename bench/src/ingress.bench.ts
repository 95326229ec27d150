/**
 * B1 and B5 of SPEC section 8: accepted postbacks/s at the ingress (durable, acks=all) for a
 * Pocket-style GET, next to a bare Fastify hello-world measured with the same load tool and
 * settings in the same run, and next to the least a durable endpoint on this stack can do
 * (support/minimal-kafka-server: Fastify route → kafkajs acks=all → 200, nothing else), which
 * shows how much of the gap to the hello-world is the machine's and how much the ingress';
 * then p99 at half that rate; then the RSS of each of the four apps
 * (ingress, registry, postback-log, attribution as separate processes) under the same load.
 * Servers run as child processes so the load generator (autocannon, in this process) never
 * shares their event loop. Unless KAFKA_BROKERS is set, a throwaway broker under
 * .data/bench-kafka (wiped on every run) takes the load instead of the shared dev broker.
 *
 * Knobs: BENCH_CONNECTIONS (100), BENCH_PIPELINING (1), BENCH_DURATION (10 s), BENCH_WARMUP (30 s
 * before each full-rate run), BENCH_SKIP_B5=1,
 * BENCH_NODE_ARGS (extra node flags for the ingress, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createEvent, IntegrationChangedPayload, Topics } from '@tracker/contracts';
import { createKafkaClient, EventProducer } from '@tracker/kafka';
import { findRepoRoot } from '@tracker/local-infra';
import { freePort } from '@tracker/testing';
import { autocannon, AutocannonOptions, AutocannonResult, startBareFastify } from './support/load';
import { fmt, print } from './support/output';
import { cpuSeconds, cpuSplit, RssSampler, stopChild } from './support/processes';
import { brokerPid, startThrowawayBroker } from './support/throwaway-broker';
import { throwawayDatabase } from './support/throwaway-database';
import { sleep, waitFor } from './support/wait';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const PIPELINING = Number(process.env.BENCH_PIPELINING ?? 1);
const DURATION_S = Math.max(10, Number(process.env.BENCH_DURATION ?? 10));
// Long enough for the broker's JIT: with 3 s it still spent about 69 µs of CPU per message, after
// 40 s about 25 µs, which is what a long-running broker costs.
const WARMUP_S = Math.max(1, Number(process.env.BENCH_WARMUP ?? 30));
const SKIP_B5 = process.env.BENCH_SKIP_B5 === '1';
const INGRESS_NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const RSS_LIMIT_MB = 256;
/** The throwaway broker: ports away from the shared 9092 and the outage test's 19092. */
const BENCH_BROKER = { port: 29092, controllerPort: 29093 };
const benchBrokerDir = (root: string) => path.join(root, '.data', 'bench-kafka');
const CONSUMER_APPS = ['registry', 'postback-log', 'attribution'] as const;

/** The floor reference on the same broker, with its own topic shaped like the postbacks topic. */
async function startMinimalKafkaServer(
  root: string,
  brokers: string[],
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist/bench/src/support/minimal-kafka-server.js')],
    {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        KAFKA_BROKERS: brokers.join(','),
        TOPIC: `bench.minimal.${randomBytes(4).toString('hex')}`,
        PARTITIONS: process.env.KAFKA_TOPIC_PARTITIONS ?? '3',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const probe = `${baseUrl}/api/postbacks/${randomUUID()}/tracker-postback?click_id=probe`;
  await waitFor(async () => (await fetch(probe)).ok, 60000, 'minimal Kafka server');
  return { child, baseUrl };
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
    [...deployedNodeOptions(root), ...nodeArgs, path.join(root, `dist/apps/${app}/main.js`)],
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

/** Apps run with the node flags their image sets (deploy/Dockerfile), so B5 measures what ships. */
function deployedNodeOptions(root: string): string[] {
  const dockerfile = readFileSync(path.join(root, 'deploy/Dockerfile'), 'utf8');
  const match = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile);
  return match ? match[1].split(' ').filter(Boolean) : [];
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
  // B1's flood of PostbackReceived on tracker.postbacks.v1 must not reach the shared dev broker.
  const broker = process.env.KAFKA_BROKERS
    ? null
    : await startThrowawayBroker({ root, dataDir: benchBrokerDir(root), ...BENCH_BROKER });
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
    const bareSplit = cpuSplit({ bare: bare.child.pid!, autocannon: process.pid });
    const reference = await load(bare.url);
    const bareCpu = bareSplit();
    await stopChild(bare.child);

    const kafkaPid = broker ? brokerPid(benchBrokerDir(root)) : undefined;
    const minimal = await startMinimalKafkaServer(root, brokers);
    children.push(minimal.child);
    const minimalRequests = pocketRequests(randomUUID());
    await load(minimal.baseUrl, { duration: WARMUP_S, requests: minimalRequests });
    const minimalSplit = cpuSplit({
      minimal: minimal.child.pid!,
      autocannon: process.pid,
      ...(kafkaPid ? { kafka: kafkaPid } : {}),
    });
    const floor = await load(minimal.baseUrl, { requests: minimalRequests });
    const minimalCpu = minimalSplit();
    await stopChild(minimal.child);

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
    const ingressSplit = cpuSplit({
      ingress: ingress.child.pid!,
      autocannon: process.pid,
      ...(kafkaPid ? { kafka: kafkaPid } : {}),
    });
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
    print(`  CPU during the run        : ${bareCpu.processes}, ${bareCpu.machine}`);
    const floorRate = floor['2xx'] / floor.duration;
    print(
      `minimal Fastify → Kafka     : ${fmt(floorRate)} acknowledged/s, p50 ${floor.latency.p50} ms, p99 ${floor.latency.p99} ms, non-2xx ${floor.non2xx}, errors ${floor.errors + floor.timeouts}`,
    );
    print(`  CPU during the run        : ${minimalCpu.processes}, ${minimalCpu.machine}`);
    print(
      `  ratio minimal / bare      : ${fmt(floorRate / bareRate, 2)} (Fastify + kafkajs doing nothing else)`,
    );
    print(
      `ingress (durable, acks=all) : ${fmt(accepted)} accepted postbacks/s, p50 ${full.latency.p50} ms, p99 ${full.latency.p99} ms, non-2xx ${full.non2xx}, errors ${full.errors + full.timeouts}`,
    );
    print(`  CPU during the run        : ${ingressCpu.processes}, ${ingressCpu.machine}`);
    print(
      `  ingress CPU per postback  : ${fmt((ingressCpuSeconds * 1e6) / Math.max(1, full['2xx']))} µs (noise-robust figure to compare runs)`,
    );
    print(
      `  Kafka produce requests    : ${fmt(produceRequests / full.duration)}/s, ${fmt(producedMessages / Math.max(1, produceRequests), 1)} messages each`,
    );
    print(
      `ratio ingress / minimal     : ${fmt(accepted / floorRate, 2)} (target ≥ 0.75, SPEC section 8); ingress / bare ${fmt(ratio, 2)}`,
    );
    print(
      `half rate (${halfRate}/s)      : ${fmt(half['2xx'] / half.duration)} accepted/s, p50 ${half.latency.p50} ms, p99 ${half.latency.p99} ms, non-2xx ${half.non2xx}, errors ${half.errors + half.timeouts}`,
    );
    print(`ingress peak RSS under B1   : ${fmt(ingressB1Rss)} MB`);
    const non2xx = errorsOf(full) + errorsOf(half);
    verdicts.push(
      {
        target: 'B1 ingress / minimal ≥ 0.75',
        figure: fmt(accepted / floorRate, 2),
        pass: accepted / floorRate >= 0.75,
      },
      {
        target: 'B1 p99 ≤ 50 ms at half rate',
        figure: `${half.latency.p99} ms`,
        pass: half.latency.p99 <= 50,
      },
      { target: 'B1 0 non-2xx', figure: String(non2xx), pass: non2xx === 0 },
    );

    if (!SKIP_B5) {
      // B5: every app in its own process, the consumers working off the B1 flood meanwhile.
      const database = await throwawayDatabase('bench_b5');
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
