import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { freePort } from '@tracker/testing';

const ROOT = path.resolve(__dirname, '../..');

export interface AppProcessOptions {
  /** `apps/<app>/main.ts`, run from source exactly as `node dist/apps/<app>/main.js` would. */
  app: string;
  databaseUrl: string;
  groupPrefix: string;
  adminToken: string;
  env?: Record<string, string>;
}

/** One app as its own OS process, so it can be killed like a crashed pod. */
export class AppProcess {
  private readonly output: string[] = [];
  private exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    // Drain the pipes (a full pipe would stall the app); keep the tail for failure messages.
    const keep = (chunk: Buffer) => {
      this.output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (this.output.length > 200) this.output.splice(0, this.output.length - 200);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = once(child, 'exit').then(() => undefined);
  }

  static async start(name: string, options: AppProcessOptions): Promise<AppProcess> {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', `apps/${options.app}/main.ts`],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          PORT: String(port),
          KAFKA_BROKERS: process.env.KAFKA_BROKERS,
          DATABASE_URL: options.databaseUrl,
          TRACKER_ADMIN_TOKEN: options.adminToken,
          KAFKA_GROUP_PREFIX: options.groupPrefix,
          LOG_LEVEL: 'warn',
          ...options.env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const app = new AppProcess(name, port, child);
    await app.waitReady();
    return app;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get signal(): NodeJS.Signals | null {
    return this.child.signalCode;
  }

  /** The last lines the process wrote, for a failing assertion's message. */
  tail(lines = 30): string {
    return this.output.slice(-lines).join('\n');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM (graceful: finish batches, commit, drain the outbox), SIGKILL if it hangs. */
  async stop(timeoutMs = 20000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitReady(timeoutMs = 60000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting:\n${this.tail()}`);
      try {
        const response = await fetch(`${this.baseUrl}/health/ready`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.kill('SIGKILL');
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.tail()}`);
  }
}
