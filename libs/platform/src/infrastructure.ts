import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { RuntimeConfig, TrackerConfig } from '@tracker/config';
import { createDatabase, ensureLocalKafka, ensureLocalPostgres } from '@tracker/local-infra';

export interface Infrastructure {
  config: RuntimeConfig;
  /** Where the admin token came from: the env (never shown) or `.data/admin-token`. */
  adminToken: { source: 'env' } | { source: 'file'; file: string; created: boolean };
  /** Stops the embedded broker and database if this process started them. */
  stop(): Promise<void>;
}

/**
 * The embedded defaults of SPEC section 6: a local Kafka broker when KAFKA_BROKERS is unset,
 * an embedded PostgreSQL when DATABASE_URL is unset, a generated admin token when none is set.
 */
export async function resolveInfrastructure(
  config: TrackerConfig,
  log: (line: string) => void,
): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    return await resolve(config, log, stops, stopAll);
  } catch (error) {
    // A failed start (e.g. the database port taken) must not leave the broker it started behind.
    await stopAll().catch(() => undefined);
    throw error;
  }
}

async function resolve(
  config: TrackerConfig,
  log: (line: string) => void,
  stops: Array<() => Promise<void>>,
  stopAll: () => Promise<void>,
): Promise<Infrastructure> {
  let kafkaBrokers = config.kafkaBrokers;
  if (!kafkaBrokers) {
    const kafka = await ensureLocalKafka({ dataDir: path.join(config.dataDir, 'kafka'), log });
    kafkaBrokers = kafka.brokers;
    // SPEC section 6: a broker we started stops with us unless KAFKA_KEEP=true.
    if (!config.kafkaKeep) stops.push(() => kafka.stop());
    log(
      `Kafka: ${kafka.startedHere ? 'started local broker' : 'reusing broker'} at ${kafkaBrokers.join(',')}`,
    );
  }
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const postgres = await ensureLocalPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      log,
    });
    databaseUrl = await createDatabase(postgres.url, 'tracker');
    stops.push(() => postgres.stop());
    log(`PostgreSQL: ${postgres.startedHere ? 'started embedded server' : 'reusing server'}`);
  }
  const token = config.adminToken
    ? { value: config.adminToken, origin: { source: 'env' as const } }
    : storedAdminToken(config.dataDir);
  if (token.origin.source === 'file') {
    log(
      `TRACKER_ADMIN_TOKEN is not set; the admin token is kept in ${token.origin.file}` +
        (token.origin.created ? ' (generated now)' : ''),
    );
  }
  return {
    config: { ...config, kafkaBrokers, databaseUrl, adminToken: token.value },
    adminToken: token.origin,
    stop: stopAll,
  };
}

/**
 * The generated admin token (SPEC section 6): made once, kept in `<dataDir>/admin-token` with
 * mode 0600 so the next start and the person at the terminal find the same one.
 */
function storedAdminToken(dataDir: string): {
  value: string;
  origin: { source: 'file'; file: string; created: boolean };
} {
  const file = path.join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= 16)
      return { value: stored, origin: { source: 'file', file, created: false } };
  }
  mkdirSync(dataDir, { recursive: true });
  const value = randomBytes(24).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value, origin: { source: 'file', file, created: true } };
}
