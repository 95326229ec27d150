/**
 * B3 and B4 of SPEC section 8 for the postback log.
 *
 * B3: 1,000,000 PostbackReceived on a private topic, rebuilt by the replay's own path
 * (`npm run replay -- postback-log` minus the live switch: topic reader, the log's writer into a
 * fresh table without secondary indexes, then one build of each index), next to a server-side
 * COPY of the same rows into the same fresh table shape followed by the same index builds and ANALYZE.
 * B4: the API's page query (same SQL) over 10,000,000 rows generated in SQL.
 *
 * Knobs: BENCH_LOG_EVENTS (1,000,000), BENCH_LOG_ROWS (10,000,000), KAFKA_BROKERS, DATABASE_URL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import { createEvent, PostbackReceivedEvent, POSTBACK_STATUSES } from '@tracker/contracts';
import { openAppDataSource } from '@tracker/database';
import { createKafkaClient, encodeEvent, ensureTopics, EventProducer } from '@tracker/kafka';
import { ensureLocalKafka, ensureLocalPostgres } from '@tracker/local-infra';
import { buildIndexes, dropSecondaryIndexes, rebuildInto, replaySchemaOf } from '@tracker/replay';
import { DataSource } from 'typeorm';
import { POSTBACK_LOG_DATABASE } from '../../apps/postback-log/src/postback-log.database';
import { postbackRow, PostbackRow } from '../../apps/postback-log/src/projection/postback-log.rows';
import { postbackLogReplay } from '../../apps/postback-log/src/replay/postback-log.replay';
import {
  PostbackLogFilter,
  PostbackLogQuery,
} from '../../apps/postback-log/src/query/postback-log.query';
import { print } from './support/output';
import { PhaseCpu } from './support/processes';
import { percentile } from './support/stats';
import { createRandomDatabase, dropDatabase } from './support/throwaway-database';

const EVENTS = Number(process.env.BENCH_LOG_EVENTS ?? 1_000_000);
const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 10_000_000);
const PARTITIONS = 4;
const ACCOUNTS = 20;
const INTEGRATIONS_PER_ACCOUNT = 5;
/** SPEC section 8, B3 (revised): at least this share of COPY plus the same index builds. */
const B3_COPY_RATIO = 0.8;
const B4_P99_MS = 50;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function uuidFrom(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Time-ordered like the ingress' UUID v7, but reproducible from (run, index). */
function postbackId(run: string, ms: number, index: number): string {
  const time = ms.toString(16).padStart(12, '0');
  const tail = createHash('sha1').update(`${run}:${index}`).digest('hex');
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${tail.slice(0, 3)}-8${tail.slice(3, 6)}-${tail.slice(6, 18)}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function clickIdOf(seed: number): string {
  let n = BigInt(`0x${createHash('sha1').update(String(seed)).digest('hex').slice(0, 18)}`);
  let out = '';
  for (let i = 0; i < 12; i++) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

interface Tenant {
  accountId: string;
  integrations: string[];
}

/** A row of the B4 log whose values are known without reading it back. */
interface Sample {
  clickId: string;
  trader: string;
  accountIndex: number;
}

const EVENT_NAMES = ['registration', 'conf', 'ftd', 'resale'];

/** A Pocket-style postback, the same every time for (run, index). */
function benchPostback(run: string, tenants: Tenant[], start: number, index: number) {
  const tenant = tenants[index % tenants.length];
  const integrationId =
    tenant.integrations[Math.floor(index / tenants.length) % INTEGRATIONS_PER_ACCOUNT];
  const receivedMs = start + Math.floor(index / 20);
  const clickId = clickIdOf(Math.floor(index / 3));
  const event = EVENT_NAMES[index % EVENT_NAMES.length];
  const query: Record<string, string> = {
    'tracker.event': event,
    click_id: clickId,
    sumdep: `${(index % 500) + 10}.00`,
    currency: 'usd',
    trader_id: String(40_000_000 + (index % 9_000_000)),
  };
  const url = `/api/postbacks/${integrationId}/tracker-postback?${new URLSearchParams(query).toString()}`;
  return createEvent(
    'PostbackReceived',
    {
      method: 'GET',
      url,
      query,
      body: null,
      remoteAddress: '203.0.113.7',
      userAgent: 'PocketPartners-Postback/1.0',
      event,
      clickId,
      receivedAt: new Date(receivedMs).toISOString(),
    },
    {
      id: postbackId(run, receivedMs, index),
      accountId: tenant.accountId,
      integrationId,
      correlationId: clickId,
      occurredAt: new Date(receivedMs).toISOString(),
    },
  ) as PostbackReceivedEvent;
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return `"${value.replace(/"/g, '""')}"`;
}

const COPY_COLUMNS: Array<keyof PostbackRow> = [
  'id',
  'account_id',
  'integration_id',
  'integration_name',
  'received_at',
  'event',
  'click_id',
  'method',
  'url',
  'params',
  'search_text',
];

function csvLine(row: PostbackRow): string {
  return `${COPY_COLUMNS.map((column) => {
    const value = row[column];
    return csvField(
      typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : (value as string | null),
    );
  }).join(',')}\n`;
}

async function infrastructure(): Promise<{ brokers: string[]; databaseUrl: string }> {
  const brokers = process.env.KAFKA_BROKERS
    ? process.env.KAFKA_BROKERS.split(',')
    : (await ensureLocalKafka({ log: print })).brokers;
  const databaseUrl = process.env.DATABASE_URL ?? (await ensureLocalPostgres({ log: print })).url;
  return { brokers, databaseUrl };
}

async function freshLog(
  databaseUrl: string,
  label: string,
): Promise<{ url: string; dataSource: DataSource }> {
  const url = await createRandomDatabase(databaseUrl, `bench_log_${label}`, 3);
  const dataSource = await openAppDataSource(url, { ...POSTBACK_LOG_DATABASE, poolSize: 4 });
  return { url, dataSource };
}

async function b3(brokers: string[], databaseUrl: string, tenants: Tenant[]): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const topic = `bench.postback-log.${run}`;
  const kafka = createKafkaClient({ brokers, clientId: 'bench-log' });
  await ensureTopics(kafka, PARTITIONS, [{ name: topic, compacted: false }]);
  const producer = new EventProducer(kafka, { maxBatchMessages: 2000, lingerMs: 5 });
  await producer.connect();
  const start = Date.parse('2026-01-01T00:00:00.000Z');
  const log = await freshLog(databaseUrl, 'b3');
  const copy = await freshLog(databaseUrl, 'copy');
  const csvPath = path.join(os.tmpdir(), `bench-log-${run}.csv`);
  try {
    print(`B3: producing ${fmt(EVENTS)} PostbackReceived to ${topic} (${PARTITIONS} partitions)…`);
    const produceStart = Date.now();
    // One produce request per chunk: each partition's record batch stays under the broker's 1 MB.
    const chunk = 3_000;
    const csv = createWriteStream(csvPath);
    for (let from = 0; from < EVENTS; from += chunk) {
      const messages = [];
      for (let i = from; i < Math.min(EVENTS, from + chunk); i++) {
        const event = benchPostback(run, tenants, start, i);
        messages.push(encodeEvent(event, event.payload.clickId ?? event.integrationId));
        if (!csv.write(csvLine(postbackRow(event, null)))) await once(csv, 'drain');
      }
      await producer.send(topic, messages);
    }
    csv.end();
    await once(csv, 'finish');
    print(`    produced in ${seconds(Date.now() - produceStart)} (not part of the figure)`);

    // The replay path: reader + the log's writer into a table without secondary indexes, then
    // one build of each index (both timed: the model is not usable before its indexes exist).
    const schema = replaySchemaOf('postback_log');
    const cpu = new PhaseCpu();
    const replay = await rebuildInto(postbackLogReplay([topic]), {
      databaseUrl: log.url,
      brokers,
      schema,
      onPhase: (phase) => cpu.start(phase),
    });
    cpu.start('COPY');
    const replayMs = replay.loadMs + replay.afterBulkMs;
    const [{ count }] = await log.dataSource.query(
      `SELECT count(*)::int AS count FROM "${schema}".postback_logs`,
    );

    // Reference: COPY into the same table shape (primary key only during the load), then the
    // same index build on the same number of sessions and the same ANALYZE.
    const indexes = await dropSecondaryIndexes(copy.dataSource, 'postback_log', 'postback_logs');
    const copyStart = Date.now();
    await copy.dataSource.query(
      `COPY postback_log.postback_logs (${COPY_COLUMNS.join(', ')}) FROM '${csvPath}' (FORMAT csv)`,
    );
    const copyLoadMs = Date.now() - copyStart;
    cpu.start('COPY index builds');
    const indexStart = Date.now();
    await buildIndexes(copy.url, indexes);
    // The replay's afterBulk ends with ANALYZE too: both are timed until they can serve queries.
    await copy.dataSource.query('ANALYZE postback_log.postback_logs');
    const copyIndexMs = Date.now() - indexStart;
    cpu.stop();
    const copyMs = copyLoadMs + copyIndexMs;

    const rate = (EVENTS * 1000) / replayMs;
    const copyRate = (EVENTS * 1000) / copyMs;
    print(
      `B3 replay into the postback log: ${fmt(rate)} events/s (${fmt(replay.events)} events in ${seconds(replayMs)}: ` +
        `load ${seconds(replay.loadMs)} = ${fmt((replay.events * 1000) / replay.loadMs)} events/s without secondary indexes, ` +
        `then ${indexes.length} index builds and ANALYZE ${seconds(replay.afterBulkMs)}; rows ${fmt(count)})`,
    );
    print(
      `   reference COPY of the same rows, same run: ${fmt(copyRate)} rows/s (${seconds(copyMs)}: ` +
        `COPY ${seconds(copyLoadMs)} = ${fmt((EVENTS * 1000) / copyLoadMs)} rows/s into the same table shape ` +
        `(primary key only, no secondary index exists during the COPY), then the same ${indexes.length} index builds and ANALYZE ${seconds(copyIndexMs)})`,
    );
    print('   CPU per phase (2 cores: a phase cannot be shorter than its CPU seconds / 2):');
    for (const line of cpu.report()) print(`     ${line}`);
    const ratio = rate / copyRate;
    print(
      `   ratio ${ratio.toFixed(2)} of COPY; target ≥ ${B3_COPY_RATIO} of COPY: ` +
        `${ratio >= B3_COPY_RATIO ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await unlink(csvPath).catch(() => undefined);
    await log.dataSource.destroy();
    await copy.dataSource.destroy();
    await dropDatabase(databaseUrl, log.url).catch(() => undefined);
    await dropDatabase(databaseUrl, copy.url).catch(() => undefined);
  }
}

/** 10M rows straight into the table, indexes built afterwards from the migration's own definitions. */
async function fillForPaging(dataSource: DataSource, tenants: Tenant[]): Promise<number> {
  const indexes: Array<{ indexname: string; indexdef: string }> = await dataSource.query(
    `SELECT indexname, indexdef FROM pg_indexes
     WHERE schemaname = 'postback_log' AND tablename = 'postback_logs' AND indexname NOT LIKE '%pkey'`,
  );
  for (const index of indexes)
    await dataSource.query(`DROP INDEX postback_log."${index.indexname}"`);
  await dataSource.query(
    `ALTER TABLE postback_log.postback_logs DROP CONSTRAINT postback_logs_pkey`,
  );
  const accounts = tenants.map((t) => t.accountId);
  const integrations = tenants.flatMap((t) => t.integrations);
  const fillStart = Date.now();
  // Statuses: 70% attributed, 10% duplicate, 10% unmatched, 8% rejected, 2% received.
  await dataSource.query(
    `INSERT INTO postback_log.postback_logs
       (id, account_id, integration_id, integration_name, received_at, event, click_id, method, url,
        params, search_text, status, error_code, error, conversion, outcome_at, outcome_id)
     SELECT g.id, g.account_id, g.integration_id, 'Pocket Option', g.received_at, g.event, g.click_id,
            'GET', g.url, g.params, g.search_text, g.status,
            CASE g.status WHEN 'duplicate' THEN 'duplicate' WHEN 'unmatched' THEN 'click_not_found'
                          WHEN 'rejected' THEN 'invalid_amount' END,
            CASE g.status WHEN 'rejected' THEN 'invalid amount ''abc''' END,
            CASE g.status WHEN 'attributed' THEN '{"stage":"first_deposit","ordinal":1,"amount":"50.00","currency":"USD"}'::jsonb END,
            CASE WHEN g.status <> 'received' THEN g.received_at END,
            CASE WHEN g.status <> 'received' THEN g.id END
     FROM (
       SELECT s.id, s.account_id, s.integration_id, s.received_at, s.event, s.click_id, s.status,
              '/api/postbacks/' || s.integration_id || '/tracker-postback?tracker.event=' || s.event ||
                '&click_id=' || s.click_id || '&sumdep=' || s.amount || '&currency=usd&trader_id=' || s.trader AS url,
              jsonb_build_object('tracker.event', s.event, 'click_id', s.click_id, 'sumdep', s.amount,
                                 'currency', 'usd', 'trader_id', s.trader) AS params,
              -- What searchTextOf() stores: click id and parameter values, once each, lower-cased.
              lower(concat_ws(E'\\n', s.click_id, s.event, s.amount, 'usd', s.trader)) AS search_text
       FROM (
         SELECT md5(i::text || 'id')::uuid AS id,
                ($1::uuid[])[1 + i % ${accounts.length}] AS account_id,
                ($2::uuid[])[1 + (i % ${accounts.length}) * ${INTEGRATIONS_PER_ACCOUNT} + (i / ${accounts.length}) % ${INTEGRATIONS_PER_ACCOUNT}] AS integration_id,
                timestamptz '2026-01-01' + i * interval '250 milliseconds' AS received_at,
                (ARRAY['registration','conf','ftd','resale'])[1 + i % 4] AS event,
                substr(md5((i / 3)::text), 1, 12) AS click_id,
                CASE WHEN i % 50 = 0 THEN 'received' WHEN i % 50 < 5 THEN 'rejected'
                     WHEN i % 50 < 10 THEN 'duplicate' WHEN i % 50 < 15 THEN 'unmatched'
                     ELSE 'attributed' END AS status,
                (10 + i % 500)::text || '.00' AS amount,
                (40000000 + i % 9000000)::text AS trader
         FROM generate_series(0, ${ROWS - 1}) AS i
       ) s
     ) g`,
    [accounts, integrations],
  );
  // The URL skeleton the writer keeps per account (see urlTermsOf): paths and parameter names.
  const names = ['tracker.event', 'click_id', 'sumdep', 'currency', 'trader_id'];
  const terms = tenants.flatMap((tenant) =>
    [...tenant.integrations.map((id) => `/api/postbacks/${id}/tracker-postback`), ...names].map(
      (term) => ({ account_id: tenant.accountId, term }),
    ),
  );
  await dataSource.query(
    `INSERT INTO postback_log.url_terms (account_id, term_hash, term)
     SELECT account_id, md5(term)::uuid, term
     FROM json_to_recordset($1::json) AS r(account_id uuid, term text)`,
    [JSON.stringify(terms)],
  );
  print(`    inserted ${fmt(ROWS)} rows in ${seconds(Date.now() - fillStart)}`);
  const indexStart = Date.now();
  await dataSource.query(`SET maintenance_work_mem = '1GB'`);
  await dataSource.query(`ALTER TABLE postback_log.postback_logs ADD PRIMARY KEY (id)`);
  for (const index of indexes) {
    const started = Date.now();
    await dataSource.query(index.indexdef);
    print(`    index ${index.indexname} in ${seconds(Date.now() - started)}`);
  }
  await dataSource.query('VACUUM ANALYZE postback_log.postback_logs');
  print(`    indexes + analyze in ${seconds(Date.now() - indexStart)}`);
  return ROWS;
}

async function b4(databaseUrl: string, tenants: Tenant[]): Promise<void> {
  const log = await freshLog(databaseUrl, 'b4');
  try {
    print(`B4: filling a fresh log with ${fmt(ROWS)} rows…`);
    const started = Date.now();
    await fillForPaging(log.dataSource, tenants);
    print(`    ready in ${seconds(Date.now() - started)}`);
    // One query at a time: latency of the query itself, not of a queue.
    const query = new PostbackLogQuery(log.dataSource);
    const samples: Sample[] = [];
    for (let k = 0; k < 50; k++) {
      const i = Math.floor(Math.random() * ROWS);
      // The generator's click id of row i: substr(md5((i / 3)::text), 1, 12).
      const clickId = createHash('md5')
        .update(String(Math.floor(i / 3)))
        .digest('hex')
        .slice(0, 12);
      samples.push({
        clickId,
        trader: String(40_000_000 + (i % 9_000_000)),
        accountIndex: i % tenants.length,
      });
    }
    const span = ROWS * 250;
    type Filter = Omit<PostbackLogFilter, 'limit'>;
    type Kind = [string, (n: number) => { account: string; filter: PostbackLogFilter }];
    // Pages of 50; the n-th query of a kind goes to the n-th tenant, or the n-th sampled row's.
    const perTenant = (name: string, filter: (tenant: Tenant, n: number) => Filter): Kind => [
      name,
      (n) => {
        const tenant = tenants[n % tenants.length];
        return { account: tenant.accountId, filter: { limit: 50, ...filter(tenant, n) } };
      },
    ];
    const perSample = (name: string, filter: (sample: Sample) => Filter): Kind => [
      name,
      (n) => {
        const sample = samples[n % samples.length];
        const account = tenants[sample.accountIndex].accountId;
        return { account, filter: { limit: 50, ...filter(sample) } };
      },
    ];
    const kinds: Kind[] = [
      perTenant('first page', () => ({})),
      perTenant('deep page (cursor)', () => ({
        after: {
          at: new Date(Date.parse('2026-01-01') + Math.floor(Math.random() * span)).toISOString(),
          id: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
        },
      })),
      perTenant('status=rejected', () => ({ status: 'rejected' })),
      perTenant('status=received', () => ({ status: 'received' })),
      perTenant('integrationId', (tenant, n) => ({
        integrationId: tenant.integrations[n % INTEGRATIONS_PER_ACCOUNT],
      })),
      perSample('clickId', (s) => ({ clickId: s.clickId })),
      perSample('q = part of a click id', (s) => ({ q: s.clickId.slice(2, 10).toUpperCase() })),
      perSample('q = trader id value', (s) => ({ q: s.trader })),
      perTenant('q = parameter name (URL)', () => ({ q: 'trader_id' })),
      perSample('q = name=value (URL)', (s) => ({ q: `trader_id=${s.trader}` })),
      perTenant('q = integration id (URL path)', (tenant, n) => ({
        q: tenant.integrations[n % INTEGRATIONS_PER_ACCOUNT],
      })),
      perTenant('from/to day + event', (_, n) => {
        const day = Date.parse('2026-01-01') + (n % 20) * 3_600_000;
        return { event: 'ftd', from: new Date(day), to: new Date(day + 3_600_000) };
      }),
    ];
    const all: number[] = [];
    const repetitions = 150;
    for (const [name, make] of kinds) {
      const times: number[] = [];
      for (let n = 0; n < repetitions; n++) {
        const { account, filter } = make(n);
        const t0 = process.hrtime.bigint();
        await query.page(account, filter);
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      print(
        `    ${name.padEnd(24)} p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms`,
      );
    }
    all.sort((a, b) => a - b);
    const p99 = percentile(all, 99);
    print(
      `B4 page query over ${fmt(ROWS)} rows (${fmt(all.length)} queries, ${kinds.length} kinds): ` +
        `p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; target p99 ≤ ${B4_P99_MS} ms: ` +
        `${p99 <= B4_P99_MS ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    await log.dataSource.destroy();
    await dropDatabase(databaseUrl, log.url).catch(() => undefined);
  }
}

export async function run(): Promise<void> {
  Logger.overrideLogger(['error']);
  const { brokers, databaseUrl } = await infrastructure();
  const tenants: Tenant[] = Array.from({ length: ACCOUNTS }, (_, a) => ({
    accountId: uuidFrom(`account-${a}`),
    integrations: Array.from({ length: INTEGRATIONS_PER_ACCOUNT }, (_, k) =>
      uuidFrom(`integration-${a}-${k}`),
    ),
  }));
  const statuses = POSTBACK_STATUSES.join('/');
  print(
    `postback log bench: ${fmt(EVENTS)} events (B3), ${fmt(ROWS)} rows (B4), statuses ${statuses}`,
  );
  const started = Date.now();
  if (EVENTS > 0) await b3(brokers, databaseUrl, tenants);
  if (ROWS > 0) await b4(databaseUrl, tenants);
  print(`postback log bench took ${seconds(Date.now() - started)}`);
}
