/**
 * The tracker as `npm start` runs it (`node dist/apps/tracker/main.js`), started from outside
 * with a benchmark's own broker and database, and driven through its public API.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '@tracker/testing';
import { stopChild } from './processes';
import { waitFor } from './wait';

export interface Tracker {
  child: ChildProcess;
  /** The public port: `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Every warn-or-worse log line of every process so far (JSON as printed), oldest first. */
  warnings: string[];
  /** Stops every process of the tracker and removes its spool directory. */
  stop(): Promise<void>;
}

export interface TrackerOptions {
  root: string;
  brokers: string[];
  databaseUrl: string;
  adminToken: string;
  /** Names the consumer groups and the spool directory, e.g. `bench-box`. */
  name: string;
  /** The tracker's TRACKER_PROCESSES (`auto` = as `npm start` without it). */
  processes?: string;
  /** Node flags of the tracker, which its app processes inherit (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

const PINO_WARN = 40;

/** Starts the tracker and resolves once `/health/ready` shows every component up. */
export async function startTracker(options: TrackerOptions): Promise<Tracker> {
  const { root, brokers, databaseUrl, adminToken, name, processes = 'auto' } = options;
  const port = await freePort();
  const entry = path.join(root, 'dist/apps/tracker/main.js');
  // A throwaway spool, removed by stop() (they piled up under .data/ before).
  const spoolDir = mkdtempSync(path.join(os.tmpdir(), `${name}-spool-`));
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      KAFKA_BROKERS: brokers.join(','),
      DATABASE_URL: databaseUrl,
      TRACKER_ADMIN_TOKEN: adminToken,
      KAFKA_GROUP_PREFIX: `${name}-${randomBytes(4).toString('hex')}`,
      TRACKER_PROCESSES: processes,
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      SPOOL_DIR: spoolDir,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const warnings: string[] = [];
  // BENCH_TRACKER_LOG=<file> keeps everything the tracker and its processes print (e.g. with
  // BENCH_TRACKER_NODE_ARGS=--trace-gc).
  const keep = process.env.BENCH_TRACKER_LOG
    ? createWriteStream(process.env.BENCH_TRACKER_LOG)
    : null;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    keep?.write(`${line}\n`);
    if (Number(/"level":(\d+)/.exec(line)?.[1] ?? 0) >= PINO_WARN) warnings.push(line);
  });
  const stop = async () => {
    await stopChild(child);
    keep?.end();
    rmSync(spoolDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        const response = await fetch(`${baseUrl}/health/ready`);
        const body = (await response.json()) as { components?: Record<string, string> };
        return response.ok && Object.values(body.components ?? {}).every((state) => state === 'up');
      },
      180_000,
      'the tracker',
      500,
    );
  } catch (error) {
    // Never ready: nothing of it may outlive the bench.
    await stop();
    throw error;
  }
  return { child, baseUrl, warnings, stop };
}

/** One JSON API call with a bearer key; throws on a non-2xx answer, naming it. */
export async function api<T>(
  baseUrl: string,
  key: string,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${urlPath}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** An account with its API key, made with the admin token. */
export function createAccount(baseUrl: string, adminToken: string, name: string) {
  return api<{ id: string; apiKey: string }>(baseUrl, adminToken, 'POST', '/api/accounts', {
    name,
  });
}

/**
 * A Pocket Option integration (the seed document's template) and `clicks` clicks on it, made
 * through the public API; resolves once the ingress knows the integration (it learns of it
 * from its snapshot topic).
 */
export async function seedPocketIntegration(
  baseUrl: string,
  apiKey: string,
  clicks: number,
): Promise<{ integrationId: string; clicks: string[] }> {
  const integration = await api<{ id: string }>(baseUrl, apiKey, 'POST', '/api/integrations', {
    template: 'pocket-option-revshare',
  });
  const made: string[] = [];
  for (let n = 0; n < clicks; n++) {
    const click = await api<{ clickId: string }>(baseUrl, apiKey, 'POST', '/api/clicks', {
      integrationId: integration.id,
    });
    made.push(click.clickId);
  }
  await waitFor(
    async () =>
      (
        await fetch(`${baseUrl}/api/postbacks/${integration.id}/tracker-postback`, {
          method: 'HEAD',
        })
      ).ok,
    30_000,
    'the integration at the ingress',
  );
  return { integrationId: integration.id, clicks: made };
}

/**
 * The sum of a counter's samples over every process of the tracker: the public port's
 * `/metrics` holds each app process's series too (labelled `process`).
 */
export async function counterTotal(tracker: Tracker, metric: string): Promise<number> {
  let total = 0;
  const text = await (await fetch(`${tracker.baseUrl}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.slice(0, line.search(/[{ ]/)) !== metric) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}
