import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    const finish = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** A TCP port nobody listens on right now (the kernel's pick), for a test's own server or broker. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Whether a server can listen on 127.0.0.1:port right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first port of the kernel's ephemeral range (Linux), else the IANA default 49152. */
function ephemeralRangeStart(): number {
  try {
    const [start] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    return Number.isInteger(start) ? start : 49_152;
  } catch {
    return 49_152;
  }
}

const SERVICE_PORT_FLOOR = 10_000;

/**
 * `count` distinct TCP ports free on loopback now, none of them in `exclude`, for servers a
 * supervisor starts and must reach again after each restart. They are picked at random below
 * the kernel's ephemeral range: the kernel hands ports of that range to outgoing connections
 * (which may take one before its server binds it, and keep it) and to freePort(), which can
 * return one port twice in a row; two app processes on one port crash-looped one of them
 * while the edge forwarded its routes to the other. Falls back to freePort() when the
 * ephemeral range starts too low to leave room.
 * @throws Error when no free port is found in 1,000 tries.
 */
export async function servicePorts(count: number, exclude: number[] = []): Promise<number[]> {
  const ceiling = ephemeralRangeStart() - 1;
  const picked = new Set<number>();
  for (let attempt = 0; picked.size < count; attempt += 1) {
    if (attempt >= 1000) throw new Error(`no ${count} free loopback ports found`);
    const port =
      ceiling - SERVICE_PORT_FLOOR < 1000
        ? await freePort()
        : SERVICE_PORT_FLOOR + Math.floor(Math.random() * (ceiling - SERVICE_PORT_FLOOR + 1));
    if (picked.has(port) || exclude.includes(port) || !(await canListen(port))) continue;
    picked.add(port);
  }
  return [...picked];
}

/** Alive means signalable and not a zombie (a zombie still answers kill(pid, 0)). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error: unknown) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  const stat = readProcFile(pid, 'stat');
  // Format: "pid (comm) S ..."; comm may contain spaces, so read the state after the last ')'.
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

/** The process's command line on Linux (undefined elsewhere or when it is gone). */
export function commandLineOf(pid: number): string | undefined {
  return readProcFile(pid, 'cmdline')?.split('\0').join(' ');
}

function readProcFile(pid: number, name: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${name}`, 'utf8');
  } catch {
    return undefined;
  }
}

export function readPidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** SIGTERM, wait up to graceMs for a clean exit (Kafka flushes and closes logs), then SIGKILL. */
export async function terminateProcess(pid: number, graceMs = 30_000): Promise<void> {
  if (!signal(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return;
    await sleep(200);
  }
  signal(pid, 'SIGKILL');
  while (isProcessAlive(pid)) await sleep(100);
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/** The last lines of a (log) file, for error messages. */
export function tailFile(file: string, lines = 60): string {
  if (!existsSync(file)) return `(no ${file})`;
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, capturing stdout+stderr; rejects only when it cannot start. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
      : undefined;
    child.once('error', reject);
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/**
 * Runs fn while holding an exclusive lock file, so two processes (say `npm start` and `npm test`)
 * never resolve jars or start a broker into the same directory at once. A lock left by a dead
 * process is taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(lockFile)) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${lockFile} (held by pid ${readPidFile(lockFile)})`);
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function tryLock(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (!isStaleLock(lockFile)) return false;
    rmSync(lockFile, { force: true });
    return false;
  }
}

function isStaleLock(lockFile: string): boolean {
  const holder = readPidFile(lockFile);
  if (holder !== undefined) return !isProcessAlive(holder);
  // No pid yet: the holder may be between creating the file and writing its pid.
  try {
    return Date.now() - statSync(lockFile).mtimeMs > 5000;
  } catch {
    return false;
  }
}
