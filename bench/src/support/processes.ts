/** Child processes of the benchmarks and what they cost, sampled from /proc (Linux only). */
import { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import { fmt } from './output';

/** SIGTERM, then SIGKILL if the child is still there after 15 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size of a process in MB, from /proc/<pid>/status; 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Peak RSS per process, sampled every 250 ms from /proc/<pid>/status while a phase runs. */
export class RssSampler {
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: Map<string, number>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }

  stop(): Map<string, number> {
    clearInterval(this.timer);
    this.sample();
    return this.peaks;
  }

  private sample(): void {
    for (const [name, pid] of this.pids) {
      this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, rssMb(pid)));
    }
  }
}

/**
 * CPU seconds (user + system) a process used so far, from /proc/<pid>/stat; 0 if unknown. With
 * `withExitedChildren`, plus what its children used before they exited and were reaped.
 */
export function cpuSeconds(
  pid: number | undefined,
  options: { withExitedChildren?: boolean } = {},
): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime (then cutime, cstime) in USER_HZ ticks
    const own = Number(fields[11]) + Number(fields[12]);
    const children = options.withExitedChildren ? Number(fields[13]) + Number(fields[14]) : 0;
    return (own + children) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of every PostgreSQL process, including backends that have exited (the postmaster
 * collects their time when it reaps them). The server is shared, so this is an upper bound.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        total += cpuSeconds(Number(entry), { withExitedChildren: true });
      }
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine, from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / 100;
}

export interface CpuSplit {
  /** `<name> N%` per process (then `postgres`), then `other processes N%`. */
  processes: string;
  /** `machine N% of M%` (M = 100 per core). */
  machine: string;
}

/**
 * Where the cores went between this call and the returned function's call: each named process
 * (an undefined pid counts 0), optionally every PostgreSQL process, and the rest of the machine.
 */
export function cpuSplit(
  pids: Record<string, number | undefined>,
  options: { postgres?: boolean } = {},
): () => CpuSplit {
  const read = () => {
    const own: Record<string, number> = Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]),
    );
    if (options.postgres) own.postgres = postgresCpuSeconds();
    return { own, machine: machineBusySeconds(), at: Date.now() };
  };
  const start = read();
  return () => {
    const end = read();
    const wall = (end.at - start.at) / 1000;
    const pct = (seconds: number) => `${fmt((seconds / wall) * 100)}%`;
    let ours = 0;
    const parts = Object.keys(start.own).map((name) => {
      const used = end.own[name] - start.own[name];
      ours += used;
      return `${name} ${pct(used)}`;
    });
    const machine = end.machine - start.machine;
    parts.push(`other processes ${pct(Math.max(0, machine - ours))}`);
    return {
      processes: parts.join(', '),
      machine: `machine ${pct(machine)} of ${os.cpus().length * 100}%`,
    };
  };
}

interface CpuReading {
  node: number;
  postgres: number;
  machine: number;
  at: number;
}

/**
 * CPU seconds per consecutive phase of work done in this process and PostgreSQL: where a
 * phase's time went, and the least it could take on this machine's cores.
 */
export class PhaseCpu {
  private current: { name: string; from: CpuReading } | null = null;
  private readonly done: Array<{ name: string; used: CpuReading }> = [];

  start(name: string): void {
    this.stop();
    this.current = { name, from: this.read() };
  }

  stop(): void {
    if (!this.current) return;
    const end = this.read();
    const { name, from } = this.current;
    this.done.push({
      name,
      used: {
        node: end.node - from.node,
        postgres: end.postgres - from.postgres,
        machine: end.machine - from.machine,
        at: end.at - from.at,
      },
    });
    this.current = null;
  }

  /** One line per phase: wall time, CPU seconds of Node, PostgreSQL and everything else. */
  report(): string[] {
    return this.done.map(({ name, used }) => {
      const other = Math.max(0, used.machine - used.node - used.postgres);
      return (
        `${name.padEnd(18)}: ${fmt(used.at / 1000, 1)} s wall; CPU s: node ${fmt(used.node, 1)}, ` +
        `postgres ${fmt(used.postgres, 1)}, other ${fmt(other, 1)}, machine ${fmt(used.machine, 1)} ` +
        `of ${fmt((used.at / 1000) * os.cpus().length, 1)}`
      );
    });
  }

  private read(): CpuReading {
    const { user, system } = process.cpuUsage();
    return {
      node: (user + system) / 1e6,
      postgres: postgresCpuSeconds(),
      machine: machineBusySeconds(),
      at: Date.now(),
    };
  }
}

/**
 * The tracker's processes by app name: the process itself (`tracker`) and each child the
 * supervisor started, named after its entry script (`dist/apps/<app>/main.js` → `<app>`,
 * `dist/apps/tracker/edge.js` → `edge`). Read from /proc; empty off Linux.
 */
export function trackerProcesses(trackerPid: number): Record<string, number> {
  const found: Record<string, number> = { tracker: trackerPid };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== trackerPid) continue;
      const script = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').at(-2) ?? '';
      const app = /apps\/([^/]+)\/(main|edge)\.[jt]s$/.exec(script);
      if (app) found[app[2] === 'edge' ? 'edge' : app[1]] = Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * CPU microseconds per unit of work (e.g. per accepted postback) of each named process, of
 * every PostgreSQL process and of the machine, between this call and the returned function's
 * call: `edge 95 µs, attribution 120 µs, …, postgres 80 µs, machine 600 µs`.
 */
export function cpuPerUnit(pids: Record<string, number | undefined>): (units: number) => string {
  const read = () => ({
    own: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)])),
    postgres: postgresCpuSeconds(),
    machine: machineBusySeconds(),
  });
  const start = read();
  return (units) => {
    const end = read();
    const us = (seconds: number) => `${fmt((seconds * 1e6) / Math.max(1, units))} µs`;
    const parts = Object.keys(start.own).map(
      (name) => `${name} ${us(end.own[name] - start.own[name])}`,
    );
    parts.push(`postgres ${us(end.postgres - start.postgres)}`);
    parts.push(`machine ${us(end.machine - start.machine)}`);
    return parts.join(', ');
  };
}

/**
 * CPU seconds used so far by each PostgreSQL backend serving the database `client` is connected
 * to (but not `client`'s own backend), by pid, from pg_stat_activity and /proc. Unlike
 * postgresCpuSeconds() this leaves out other databases on a shared server; it also leaves out
 * the server's own processes (WAL writer, checkpointer) and backends that exited.
 */
export async function databaseBackendCpuSeconds(client: {
  query<R>(text: string): Promise<{ rows: R[] }>;
}): Promise<Map<number, number>> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return new Map(rows.map(({ pid }) => [pid, cpuSeconds(pid)]));
}

/** What the backends of databaseBackendCpuSeconds() used between two readings, in seconds. */
export function backendCpuBetween(start: Map<number, number>, end: Map<number, number>): number {
  let used = 0;
  for (const [pid, seconds] of end) used += seconds - (start.get(pid) ?? 0);
  return used;
}
