/**
 * The tracker as `npm start` runs it (`node dist/apps/tracker/main.js`), forced to one process
 * per app (TRACKER_PROCESSES=multi), against the run's private broker and database. Its output
 * goes to a file in the run's temp dir.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { findRepoRoot, freePort } from '@tracker/local-infra';
import { stopChild } from '../../bench/src/support/processes';
import { waitFor } from '../../bench/src/support/wait';

/** The supervised processes and what their command line holds. */
export const APP_PROCESSES = {
  edge: 'tracker/edge',
  registry: 'registry/main',
  'postback-log': 'postback-log/main',
  attribution: 'attribution/main',
  dispatcher: 'dispatcher/main',
} as const;
export type AppProcessName = keyof typeof APP_PROCESSES;

export interface Readiness {
  status: string;
  components: Record<string, string>;
}

export class TrackerUnderTest {
  private constructor(
    private readonly child: ChildProcess,
    /** Given by env, so the tracker never prints or stores it. */
    readonly adminToken: string,
    readonly baseUrl: string,
    readonly logFile: string,
  ) {}

  static async start(dir: string, brokers: string[], databaseUrl: string) {
    const root = findRepoRoot();
    const port = await freePort();
    const logFile = path.join(dir, 'tracker.log');
    const adminToken = `faults-${randomBytes(12).toString('hex')}`;
    const out = openSync(logFile, 'a');
    const tracker = new TrackerUnderTest(
      spawn(process.execPath, [path.join(root, 'dist/apps/tracker/main.js')], {
        cwd: root,
        env: {
          ...process.env,
          PORT: String(port),
          KAFKA_BROKERS: brokers.join(','),
          DATABASE_URL: databaseUrl,
          TRACKER_ADMIN_TOKEN: adminToken,
          TRACKER_PROCESSES: 'multi',
          TRACKER_DATA_DIR: path.join(dir, 'data'),
          SPOOL_DIR: path.join(dir, 'spool'),
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
          LOG_FORMAT: 'json',
        },
        stdio: ['ignore', out, out],
      }),
      adminToken,
      `http://127.0.0.1:${port}`,
      logFile,
    );
    closeSync(out);
    await tracker.waitReady(180_000);
    return tracker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async readiness(): Promise<Readiness> {
    const response = await fetch(`${this.baseUrl}/health/ready`, {
      signal: AbortSignal.timeout(2000),
    });
    return (await response.json()) as Readiness;
  }

  /** Until `/health/ready` answers 200 with every component `up`. */
  async waitReady(timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        const state = await this.readiness();
        return Object.values(state.components).every((value) => value === 'up');
      },
      timeoutMs,
      'the tracker',
      250,
    );
  }

  /** The pid of one app's process now, or undefined while the supervisor restarts it. */
  appPid(name: AppProcessName): number | undefined {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(this.pid)], {
      encoding: 'utf8',
    });
    for (const pid of out.split('\n').map(Number).filter(Boolean)) {
      try {
        const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (command.includes(APP_PROCESSES[name])) return pid;
      } catch {
        // exited meanwhile
      }
    }
    return undefined;
  }

  /** The tracker's output from `offset` bytes on (e.g. after a fault), for the report. */
  logSince(offset: number): string {
    return readFileSync(this.logFile).subarray(offset).toString('utf8');
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }
}
