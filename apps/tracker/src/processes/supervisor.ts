import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from 'pino';

export interface ChildSpec {
  /** e.g. `attribution`, or `edge` for the process that owns the public port. */
  name: string;
  /** The script node runs (`dist/apps/<app>/main.js`, or `.ts` when run from source). */
  entry: string;
  env: NodeJS.ProcessEnv;
  /** Niceness the child runs at (0: as the supervisor); lowering priority needs no privilege. */
  nice?: number;
  /** Node flags of the child after the supervisor's own (e.g. a heap cap). */
  nodeArgs?: string[];
}

export type ChildState = 'running' | 'restarting' | 'stopped';

const MAX_RESTART_MS = 30_000;
const HEALTHY_RUN_MS = 60_000;

/**
 * The wait before a dead child's next start, given the wait before its last one (null: it ran
 * 60 s or more since): at once, then 1 s, doubling to at most 30 s while it keeps dying young.
 * At once first because every second of waiting is a second the public port refuses
 * connections when the child is the edge (its boot takes about 2 s more).
 */
export function nextRestartDelayMs(previousMs: number | null): number {
  if (previousMs === null) return 0;
  if (previousMs === 0) return 1000;
  return Math.min(previousMs * 2, MAX_RESTART_MS);
}

/** One supervised child process: restarted after it dies, until the supervisor stops. */
export class ManagedProcess {
  state: ChildState = 'running';
  restarts = 0;
  private child: ChildProcess | null = null;
  private startedAt = 0;
  /** The wait before the last restart; null before the first and after a healthy run. */
  private lastDelayMs: number | null = null;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly spec: ChildSpec,
    private readonly logger: Logger,
  ) {
    this.launch();
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGTERM (graceful: finish batches, commit, close), then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.state = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(killer);
  }

  private launch(): void {
    this.startedAt = Date.now();
    this.state = 'running';
    // The same Node flags as this process (e.g. a TypeScript loader when run from source).
    const nodeArgs = [...process.execArgv, ...(this.spec.nodeArgs ?? [])];
    const child = spawn(process.execPath, [...nodeArgs, this.spec.entry], {
      env: this.spec.env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.child = child;
    if (this.spec.nice && child.pid !== undefined) {
      try {
        setPriority(child.pid, this.spec.nice);
      } catch (error) {
        this.logger.warn(
          `${this.spec.name}: could not lower its priority: ${(error as Error).message}`,
        );
      }
    }
    child.once('error', (error) => this.logger.error(`${this.spec.name}: ${error.message}`));
    child.once('exit', (code, signal) => this.onExit(code, signal));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (Date.now() - this.startedAt > HEALTHY_RUN_MS) this.lastDelayMs = null;
    const wait = nextRestartDelayMs(this.lastDelayMs);
    this.lastDelayMs = wait;
    this.state = 'restarting';
    this.restarts += 1;
    this.logger.error(
      `${this.spec.name} process exited (${signal ?? `code ${code}`}); restarting it ${wait === 0 ? 'now' : `in ${wait / 1000} s`}`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.launch();
    }, wait);
  }
}

/**
 * Starts the tracker's processes and keeps them running (SPEC section 6: `npm start` uses every
 * core): a child that dies is restarted with a growing delay; stop() ends them all gracefully.
 */
export class Supervisor {
  readonly children: ManagedProcess[] = [];

  constructor(private readonly logger: Logger) {}

  start(spec: ChildSpec): ManagedProcess {
    const child = new ManagedProcess(spec, this.logger);
    this.children.push(child);
    return child;
  }

  /** Stops every child at once (each finishes its in-flight work), then returns. */
  async stop(graceMs = 30_000): Promise<void> {
    await Promise.all(this.children.map((child) => child.stop(graceMs)));
  }
}

/** Polls `url` until it answers 2xx or `timeoutMs` passes; true when it answered. */
export async function waitForOk(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await delay(250);
  }
  return false;
}
