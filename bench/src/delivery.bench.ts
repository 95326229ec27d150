/**
 * B8 of SPEC section 8: outgoing postbacks. The dispatcher runs alone
 * (`node dist/apps/dispatcher/main.js`, a child process) with one destination pointing at a
 * local HTTP receiver in this process; conversions are produced on `tracker.conversions.v1` at a
 * fixed rate, each carrying its time in the URL (`{occurred_at}`), after a warm-up at the same
 * rate that is delivered before the measured window opens. Printed: conversions produced
 * per second (the same-run reference), deliveries received per second, and conversion →
 * delivery p50/p99. Targets: ≥ 2,000 deliveries/s, p99 ≤ 1 s.
 *
 * A throwaway broker on 39192 (data under .data/bench-delivery-kafka, wiped afterwards) and a
 * fresh database (DATABASE_URL's server or the embedded PostgreSQL), dropped afterwards.
 *
 * Also printed: CPU µs per delivery of the dispatcher, the broker, this database's PostgreSQL
 * backends (and every PostgreSQL process on the machine, shared with anything else running),
 * the receiver (its own child process), the producer (this process) and the whole machine —
 * the figure to compare on a shared machine, where wall-clock rates are noisy.
 *
 * Knobs: BENCH_DELIVERY_RATE (2050/s: the producer's ticks come out a little under the rate
 * asked, and B8 asks for 2,000 delivered per second), BENCH_DELIVERY_SECONDS (15, after
 * BENCH_DELIVERY_WARMUP = 3 s at the same rate, not measured), BENCH_TRACKER_NODE_ARGS (Node
 * flags of the dispatcher, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it),
 * BENCH_DELIVERY_BACKLOG (0: off; else that many conversions produced while the dispatcher is
 * stopped, then delivered after its restart: capacity and CPU per delivery at full batches,
 * which a busy shared machine distorts less than latency at a fixed rate),
 * BENCH_DELIVERY_TIMELINE (set: print p50/max latency of each half second's conversions),
 * BENCH_DELIVERY_DISPATCHERS (1: how many dispatcher processes share the work, one consumer
 * group over the topic's 3 partitions, as `deploy/kubernetes/dispatcher.yaml` runs 2 replicas).
 */
import { fork, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import {
  conversionRecordedId,
  createEvent,
  type ConversionRecordedEvent,
  Topics,
} from '@tracker/contracts';
import { createKafkaClient, ensureTopics, EventProducer } from '@tracker/kafka';
import { Client } from 'pg';
import { findRepoRoot } from '@tracker/local-infra';
import { freePort } from '@tracker/testing';
import { fmt, print } from './support/output';
import type { ReceivedArrival } from './support/delivery-receiver';
import {
  backendCpuBetween,
  cpuSeconds,
  cpuSplit,
  databaseBackendCpuSeconds,
  machineBusySeconds,
  postgresCpuSeconds,
  stopChild,
} from './support/processes';
import { percentile } from './support/stats';
import { brokerPid, startThrowawayBroker, wipeBroker } from './support/throwaway-broker';
import { throwawayDatabase } from './support/throwaway-database';
import { sleep, waitFor } from './support/wait';

// Above the target: at exactly 2,000/s offered, deliveries could never reach 2,000/s (the
// producer itself comes out a little under its rate).
const RATE = Number(process.env.BENCH_DELIVERY_RATE ?? 2050);
const SECONDS = Number(process.env.BENCH_DELIVERY_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_DELIVERY_WARMUP ?? 3);
const BACKLOG = Number(process.env.BENCH_DELIVERY_BACKLOG ?? 0);
const DISPATCHERS = Math.max(1, Number(process.env.BENCH_DELIVERY_DISPATCHERS ?? 1));
const TICK_MS = 20;
const DRAIN_TIMEOUT_MS = 60_000;
const TARGET_RATE = 2000;
const TARGET_P99_MS = 1000;
const BROKER = { port: 39192, controllerPort: 39193 };

interface Arrival {
  conversionId: string;
  occurredAt: number;
  at: number;
}

/** The receiver child (support/delivery-receiver): its port; arrivals land in `arrivals`. */
async function startReceiver(arrivals: Map<string, Arrival>) {
  const child = fork(path.join(__dirname, 'support', 'delivery-receiver.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
    child.on('message', (message: { port?: number; arrivals?: ReceivedArrival[] }) => {
      if (message.port) resolve(message.port);
      for (const [conversionId, occurredAt, at] of message.arrivals ?? []) {
        if (!arrivals.has(conversionId))
          arrivals.set(conversionId, { conversionId, occurredAt, at });
      }
    });
  });
  return { child, port };
}

/**
 * CPU seconds so far of each process taking part, the machine's busy seconds and the time:
 * two readings give CPU µs per delivery.
 */
async function cpuReading(
  pids: Record<string, number | undefined>,
  db: Client,
): Promise<{ own: Record<string, number>; backends: Map<number, number>; at: number }> {
  const backends = await databaseBackendCpuSeconds(db);
  const own = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]),
  );
  own['postgres (all on the machine)'] = postgresCpuSeconds();
  own.machine = machineBusySeconds();
  return { own, backends, at: Date.now() };
}

/** This database's transaction and row counters (pg_stat_database; flushed about every second). */
async function databaseWork(db: Client): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, string>>(
    `SELECT xact_commit AS commits, tup_inserted AS inserted, tup_updated AS updated,
            tup_deleted AS deleted
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([name, value]) => [name, Number(value)]));
}

/** `dispatcher 300 µs, broker 120 µs, …` per delivery between two cpuReading()s. */
function cpuPerDelivery(
  start: Awaited<ReturnType<typeof cpuReading>>,
  end: Awaited<ReturnType<typeof cpuReading>>,
  deliveries: number,
): string {
  const us = (seconds: number) => `${fmt((seconds * 1e6) / Math.max(1, deliveries))} µs`;
  const parts = Object.keys(start.own).map((name) => {
    const used = end.own[name] - start.own[name];
    const line = `${name} ${us(used)}`;
    return name === 'dispatcher'
      ? `${line}, postgres (this database) ${us(backendCpuBetween(start.backends, end.backends))}`
      : line;
  });
  return parts.join(', ');
}

function conversion(accountId: string, integrationId: string, n: number): ConversionRecordedEvent {
  const postbackId = randomUUID();
  const clickId = `B8c${n.toString(36).padStart(9, '0')}`;
  return createEvent(
    'ConversionRecorded',
    {
      postbackId,
      clickId,
      event: 'resale',
      kind: 'deposit',
      stage: 'first_deposit',
      ordinal: 1,
      amount: '50.00',
      currency: 'USD',
      tid: null,
      fields: {},
      campaign: 'bench',
      source: 'b8',
      subscriberId: null,
      clickParams: {},
      clickedAt: new Date().toISOString(),
    },
    {
      id: conversionRecordedId(postbackId),
      accountId,
      integrationId,
      correlationId: clickId,
      causationId: postbackId,
    },
  );
}

/**
 * Where a delivery's time went, from the dispatcher's own timestamps: conversion → scheduled
 * (consumer and insert), scheduled → the attempt recorded (relay, DeliveryScheduled on the
 * topic, send, write), scheduled → at the receiver (relay, send).
 */
async function hopLatencies(
  databaseUrl: string,
  arrivals: Map<string, Arrival>,
): Promise<Record<'scheduled' | 'attempted' | 'received', { p50: number; p99: number }>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{
      conversion_id: string;
      created: number;
      attempted: number;
    }>(
      `SELECT conversion_id, extract(epoch FROM created_at) * 1000 AS created,
              extract(epoch FROM last_attempt_at) * 1000 AS attempted
         FROM dispatcher.deliveries`,
    );
    const hops = { scheduled: [] as number[], attempted: [] as number[], received: [] as number[] };
    for (const row of rows) {
      const arrival = arrivals.get(row.conversion_id);
      if (!arrival) continue;
      hops.scheduled.push(Number(row.created) - arrival.occurredAt);
      hops.attempted.push(Number(row.attempted) - Number(row.created));
      hops.received.push(arrival.at - Number(row.created));
    }
    const of = (values: number[]) => {
      const sorted = values.sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    };
    return {
      scheduled: of(hops.scheduled),
      attempted: of(hops.attempted),
      received: of(hops.received),
    };
  } finally {
    await db.end();
  }
}

export async function run(): Promise<void> {
  const root = findRepoRoot();
  print(
    `B8 outgoing postbacks: ${RATE} conversions/s for ${SECONDS} s (+${WARMUP_SECONDS} s warm-up) ` +
      `to one destination at a local receiver, ${DISPATCHERS} dispatcher process(es)`,
  );
  const brokerDir = path.join(root, '.data', 'bench-delivery-kafka');
  const broker = await startThrowawayBroker({ root, dataDir: brokerDir, ...BROKER, attempts: 6 });
  const database = await throwawayDatabase('bench_delivery', { stopEmbedded: true });
  const arrivals = new Map<string, Arrival>();
  const receiver = await startReceiver(arrivals);
  const kafka = createKafkaClient({ brokers: broker.brokers, clientId: 'bench-delivery' });
  await ensureTopics(kafka, 3);
  const producer = new EventProducer(kafka);
  await producer.connect();
  const ports: number[] = [];
  for (let i = 0; i < DISPATCHERS; i++) ports.push(await freePort());
  const statsDb = new Client({ connectionString: database.url });
  await statsDb.connect();
  const nodeArgs = (process.env.BENCH_TRACKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const script = path.join(root, 'dist/apps/dispatcher/main.js');
  const startDispatcher = (port: number) =>
    spawn(process.execPath, [...nodeArgs, script], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        KAFKA_BROKERS: broker.brokers.join(','),
        DATABASE_URL: database.url,
        TRACKER_ADMIN_TOKEN: `bench-admin-${randomBytes(12).toString('hex')}`,
        KAFKA_GROUP_PREFIX: 'bench-delivery',
        DESTINATIONS_ALLOW_PRIVATE: 'true',
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  const startDispatchers = () => ports.map(startDispatcher);
  const stopDispatchers = (children: ReturnType<typeof startDispatcher>[]) =>
    Promise.all(children.map((child) => stopChild(child)));
  const ready = () =>
    Promise.all(
      ports.map((port) =>
        waitFor(
          async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200,
          120_000,
          'dispatcher',
          100,
        ),
      ),
    );
  /** `dispatcher`, `dispatcher 2`, …: the CPU of each process. */
  const dispatcherPids = (children: ReturnType<typeof startDispatcher>[]) =>
    Object.fromEntries(
      children.map((child, i) => [i === 0 ? 'dispatcher' : `dispatcher ${i + 1}`, child.pid]),
    );
  let dispatchers = startDispatchers();
  try {
    await ready();
    const accountId = randomUUID();
    const integrationId = randomUUID();
    const now = new Date(Date.now() - 1000).toISOString();
    const destinationId = randomUUID();
    await producer.publish(
      Topics.Destinations,
      createEvent(
        'DestinationChanged',
        {
          id: destinationId,
          accountId,
          name: 'B8 receiver',
          integrationId: null,
          stages: ['first_deposit'],
          method: 'GET',
          url: `http://127.0.0.1:${receiver.port}/b8?cid={conversion_id}&at={occurred_at}&c={clickid}`,
          headers: {},
          body: null,
          enabled: true,
          createdAt: now,
          updatedAt: now,
          activeSince: now,
        },
        { accountId },
      ),
      destinationId,
    );

    const produce = async (seconds: number, offset: number) => {
      const ids: string[] = [];
      const total = Math.round(RATE * seconds);
      const started = performance.now();
      let sent = 0;
      const inFlight: Promise<void>[] = [];
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
        if (due > sent) {
          const batch = Array.from({ length: due - sent }, (_, i) =>
            conversion(accountId, integrationId, offset + sent + i),
          );
          for (const event of batch) ids.push(event.id);
          inFlight.push(
            producer.publishMany(
              Topics.Conversions,
              batch.map((event) => ({ event, key: event.payload.clickId })),
            ),
          );
          sent = due;
        }
        await sleep(TICK_MS);
      }
      await Promise.all(inFlight);
      return { ids, seconds: (performance.now() - started) / 1000, endedAt: Date.now() };
    };

    // The warm-up is delivered before the measured window opens: a cold process (JIT, pools)
    // falls behind in its first seconds, and that backlog is not the steady state B8 measures.
    const warmup = await produce(WARMUP_SECONDS, 0);
    const warmupDeadline = Date.now() + DRAIN_TIMEOUT_MS;
    while (warmup.ids.some((id) => !arrivals.has(id)) && Date.now() < warmupDeadline) {
      await sleep(50);
    }
    print(
      `  warm-up: ${warmup.ids.filter((id) => arrivals.has(id)).length}/${warmup.ids.length} ` +
        `delivered ${fmt((Date.now() - warmup.endedAt) / 1000, 1)} s after its last conversion`,
    );
    const pids = {
      ...dispatcherPids(dispatchers),
      broker: brokerPid(brokerDir),
      receiver: receiver.child.pid,
      'producer (bench)': process.pid,
    };
    const split = cpuSplit(pids, { postgres: true });
    const cpuStart = await cpuReading(pids, statsDb);
    const workStart = await databaseWork(statsDb);
    const measured = await produce(SECONDS, RATE * WARMUP_SECONDS);
    const producedAt = Date.now();
    const deadline = producedAt + DRAIN_TIMEOUT_MS;
    while (measured.ids.some((id) => !arrivals.has(id)) && Date.now() < deadline) await sleep(100);
    const cpu = split();
    const cpuEnd = await cpuReading(pids, statsDb);
    // pg_stat_database lags by up to a second: read it after the counters were flushed.
    await sleep(1500);
    const workEnd = await databaseWork(statsDb);
    // Every delivery that arrived while CPU was measured (the warm-up's late ones too).
    let arrivedMeanwhile = 0;
    for (const arrival of arrivals.values()) {
      if (arrival.at >= cpuStart.at && arrival.at <= cpuEnd.at) arrivedMeanwhile++;
    }
    const got = measured.ids.map((id) => arrivals.get(id)).filter((a): a is Arrival => !!a);
    const latencies = got.map((a) => a.at - a.occurredAt).sort((a, b) => a - b);
    const first = Math.min(...got.map((a) => a.occurredAt));
    // Throughput at the receiver: deliveries over the time from the first arrival to the last.
    const firstArrival = Math.min(...got.map((a) => a.at));
    const lastArrival = Math.max(...got.map((a) => a.at));
    const deliveredPerSecond = got.length / ((lastArrival - firstArrival) / 1000);
    const producedPerSecond = measured.ids.length / measured.seconds;
    const p99 = percentile(latencies, 99);
    if (process.env.BENCH_DELIVERY_TIMELINE) {
      // When the slow deliveries happened: a steady tail, or stalls of the whole pipeline.
      const byHalfSecond = new Map<number, number[]>();
      for (const arrival of got) {
        const slot = Math.floor((arrival.occurredAt - first) / 500);
        const list = byHalfSecond.get(slot) ?? [];
        list.push(arrival.at - arrival.occurredAt);
        byHalfSecond.set(slot, list);
      }
      print(
        '  timeline (conversions of each 0.5 s: p50/max ms): ' +
          [...byHalfSecond.entries()]
            .sort((x, y) => x[0] - y[0])
            .map(([, v]) => {
              v.sort((x, y) => x - y);
              return `${fmt(percentile(v, 50))}/${fmt(v.at(-1) ?? 0)}`;
            })
            .join(' '),
      );
    }
    print(`  produced ${measured.ids.length} conversions: ${fmt(producedPerSecond)}/s (reference)`);
    print(
      `  delivered ${got.length}/${measured.ids.length}: ${fmt(deliveredPerSecond)}/s ` +
        `(${fmt(deliveredPerSecond / producedPerSecond, 2)} of produced); target ≥ ${TARGET_RATE}/s: ` +
        `${deliveredPerSecond >= TARGET_RATE && got.length === measured.ids.length ? 'met' : 'MISSED'}`,
    );
    print(
      `  conversion → delivery: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(p99)} ms, ` +
        `max ${fmt(latencies.at(-1) ?? NaN)} ms; target p99 ≤ ${TARGET_P99_MS} ms: ` +
        `${p99 <= TARGET_P99_MS ? 'met' : 'MISSED'}`,
    );
    print(`  cpu: ${cpu.processes}; ${cpu.machine}`);
    print(
      `  cpu per delivery (${arrivedMeanwhile} delivered while measured): ` +
        cpuPerDelivery(cpuStart, cpuEnd, arrivedMeanwhile),
    );
    print(
      `  database per delivery: ` +
        Object.keys(workStart)
          .map((name) => `${name} ${fmt((workEnd[name] - workStart[name]) / arrivedMeanwhile, 2)}`)
          .join(', '),
    );
    const hops = await hopLatencies(database.url, arrivals);
    print(
      '  hops p50/p99 ms: ' +
        Object.entries(hops)
          .map(([hop, { p50, p99: hop99 }]) => `${hop} ${fmt(p50)}/${fmt(hop99)}`)
          .join(', '),
    );
    if (BACKLOG > 0) {
      // Capacity: a backlog produced while the dispatcher is down, delivered at full speed.
      await stopDispatchers(dispatchers);
      const backlog: string[] = [];
      for (let n = 0; n < BACKLOG; n += 1000) {
        const batch = Array.from({ length: Math.min(1000, BACKLOG - n) }, (_, i) =>
          conversion(accountId, integrationId, 10_000_000 + n + i),
        );
        for (const event of batch) backlog.push(event.id);
        await producer.publishMany(
          Topics.Conversions,
          batch.map((event) => ({ event, key: event.payload.clickId })),
        );
      }
      dispatchers = startDispatchers();
      await ready();
      const backlogPids = { ...pids, ...dispatcherPids(dispatchers) };
      const start = await cpuReading(backlogPids, statsDb);
      const deadline = Date.now() + DRAIN_TIMEOUT_MS;
      while (backlog.some((id) => !arrivals.has(id)) && Date.now() < deadline) await sleep(100);
      const end = await cpuReading(backlogPids, statsDb);
      const arrived = backlog.filter((id) => (arrivals.get(id)?.at ?? 0) >= start.at).length;
      const delivered = backlog.filter((id) => arrivals.has(id)).length;
      print(
        `  backlog of ${BACKLOG} after a restart: ${delivered} delivered, ` +
          `${fmt(arrived / ((end.at - start.at) / 1000))}/s once ready; cpu per delivery: ` +
          cpuPerDelivery(start, end, arrived),
      );
    }
  } finally {
    await stopDispatchers(dispatchers);
    await producer.disconnect();
    await statsDb.end();
    await stopChild(receiver.child);
    await broker.stop();
    wipeBroker(brokerDir);
    await database.drop().catch(() => undefined);
  }
}
