import * as path from 'node:path';
import { ConfigError, LogFormat, LogLevel, TrackerConfig, TrackerProcesses } from './env-schema';

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** Reads an env var, treating empty strings as unset: `FOO= npm start` should mean "default". */
function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function httpUrl(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must use http or https, got '${url.protocol}'`);
  }
  if (url.search || url.hash) throw new ConfigError(name, 'must not carry a query or fragment');
  return raw.replace(/\/+$/, '');
}

function brokers(name: string, raw: string | undefined): string[] | null {
  if (raw === undefined) return null;
  const list = raw.split(',').map((b) => b.trim());
  for (const broker of list) {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
      throw new ConfigError(name, `must be a comma-separated list of host:port, got '${broker}'`);
    }
  }
  return list;
}

function databaseUrl(name: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a postgres:// URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must use the postgres:// scheme, got '${url.protocol}'`);
  }
  return raw;
}

function adminToken(name: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (raw.length < 16) throw new ConfigError(name, 'must be at least 16 characters long');
  return raw;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(name, `must be true or false, got '${raw}'`);
}

function logLevel(name: string, raw: string | undefined): LogLevel {
  if (raw === undefined) return 'info';
  const level = raw.toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  }
  return level;
}

function oneOf<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase() as T;
  if (!allowed.includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return value;
}

/** Finds the repository root so embedded data lands in `<root>/.data` wherever we run from. */
export function repositoryRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pkg = require(path.join(dir, 'package.json')) as { name?: string };
      if (pkg.name === 'postback-tracker') return dir;
    } catch {
      // not here; keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** Parses and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): TrackerConfig {
  const port = integer(env, 'PORT', 3000, 1, 65535);
  const publicBase = read(env, 'PUBLIC_BASE_URL');
  const dataDir = path.resolve(
    read(env, 'TRACKER_DATA_DIR') ?? path.join(repositoryRoot(), '.data'),
  );
  return {
    port,
    publicBaseUrl: httpUrl('PUBLIC_BASE_URL', publicBase ?? `http://localhost:${port}`),
    kafkaBrokers: brokers('KAFKA_BROKERS', read(env, 'KAFKA_BROKERS')),
    databaseUrl: databaseUrl('DATABASE_URL', read(env, 'DATABASE_URL')),
    adminToken: adminToken('TRACKER_ADMIN_TOKEN', read(env, 'TRACKER_ADMIN_TOKEN')),
    logLevel: logLevel('LOG_LEVEL', read(env, 'LOG_LEVEL')),
    logFormat: oneOf<LogFormat>(
      'LOG_FORMAT',
      read(env, 'LOG_FORMAT'),
      ['pretty', 'json'],
      process.stdout.isTTY ? 'pretty' : 'json',
    ),
    kafkaKeep: boolean(env, 'KAFKA_KEEP', false),
    trackerProcesses: oneOf<TrackerProcesses>(
      'TRACKER_PROCESSES',
      read(env, 'TRACKER_PROCESSES'),
      ['auto', 'multi', 'single'],
      'auto',
    ),
    kafkaGroupPrefix: read(env, 'KAFKA_GROUP_PREFIX') ?? 'tracker',
    kafkaTopicPartitions: integer(env, 'KAFKA_TOPIC_PARTITIONS', 3, 1, 1024),
    // 6 s is the broker's default group.min.session.timeout.ms. After a broker restart or a
    // killed process, a consumer rejoins as a new member and its group waits for the dead
    // member's session to expire: 30 s stalled every projection for 30 s after the broker
    // returned (issue 14's faults run: acknowledged postbacks final 41.6 s after, 22.8 s at 10 s).
    kafkaSessionTimeoutMs: integer(env, 'KAFKA_SESSION_TIMEOUT_MS', 10000, 6000, 300000),
    trackerWorkerNice: integer(env, 'TRACKER_WORKER_NICE', 5, 0, 19),
    spoolDir: path.resolve(read(env, 'SPOOL_DIR') ?? path.join(dataDir, 'spool')),
    spoolMaxBytes: integer(
      env,
      'SPOOL_MAX_BYTES',
      256 * 1024 * 1024,
      1024,
      Number.MAX_SAFE_INTEGER,
    ),
    dataDir,
    corsOrigins: (read(env, 'CORS_ORIGINS') ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    httpRequestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30000, 100, 600000),
    httpHeadersTimeoutMs: integer(env, 'HTTP_HEADERS_TIMEOUT_MS', 10000, 100, 600000),
    httpKeepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 5000, 100, 600000),
    apiStatementTimeoutMs: integer(env, 'API_STATEMENT_TIMEOUT_MS', 15000, 100, 600000),
    destinationsAllowPrivate: boolean(env, 'DESTINATIONS_ALLOW_PRIVATE', false),
  };
}
