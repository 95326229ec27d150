import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { probeBrokerMetadata } from './kafka-metadata-probe';
import {
  commandLineOf,
  isPortOpen,
  isProcessAlive,
  readPidFile,
  runCommand,
  sleep,
  tailFile,
  terminateProcess,
  withFileLock,
} from './processes';
import { findRepoRoot } from './repo-root';

export interface LocalKafkaOptions {
  /** Broker home: jars, data, logs, pid file. Default `<repoRoot>/.data/kafka`. */
  dataDir?: string;
  /**
   * Where the broker's jars are resolved (shared by brokers with other data dirs, so a throwaway
   * broker needs no Maven run of its own). Default `<dataDir>/libs`.
   */
  libsDir?: string;
  /** Client (PLAINTEXT) port on 127.0.0.1. Default 9092. */
  port?: number;
  /** KRaft controller port on 127.0.0.1. Default 9093. */
  controllerPort?: number;
  /** JVM max heap. Default 512. */
  heapMb?: number;
  /** How long the broker may take to serve metadata after launch. Default 120 s. */
  startTimeoutMs?: number;
  /** Progress lines (jar resolution, start). Default: console.log with a prefix. */
  log?: (line: string) => void;
}

export interface LocalKafkaHandle {
  /** Bootstrap servers, e.g. `['127.0.0.1:9092']`. */
  brokers: string[];
  /** False when an already running broker was reused; then stop() does nothing. */
  startedHere: boolean;
  /** The broker's stdout/stderr log (meaningful when the broker was started by local-infra). */
  logFile: string;
  stop(): Promise<void>;
}

export interface LocalKafkaStatus {
  /** Pid of a live broker recorded in the pid file, if any. */
  pid?: number;
  portOpen: boolean;
  brokers: string[];
  logFile: string;
}

const HOST = '127.0.0.1';
const MIN_JAVA = 17;
const LOCK_TIMEOUT_MS = 20 * 60_000;
const MAVEN_TIMEOUT_MS = 15 * 60_000;

interface BrokerSetup {
  port: number;
  controllerPort: number;
  heapMb: number;
  startTimeoutMs: number;
  log: (line: string) => void;
  pom: string;
  log4jConfig: string;
  dataDir: string;
  libsDir: string;
  libsMarker: string;
  logsDir: string;
  outLog: string;
  kafkaLogDir: string;
  serverProperties: string;
  clusterIdFile: string;
  pidFile: string;
  lockFile: string;
}

/**
 * A single-node KRaft Kafka 3.9 broker on 127.0.0.1:port for dev and tests: reuses whatever
 * already listens there, otherwise resolves the jars with Maven (once), formats the storage
 * (once) and starts the broker detached, so it outlives this process and later runs reuse it.
 */
export async function ensureLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafkaHandle> {
  const setup = resolveSetup(options);
  if (await isPortOpen(setup.port)) return reusedHandle(setup);
  mkdirSync(setup.dataDir, { recursive: true });
  return withFileLock(setup.lockFile, LOCK_TIMEOUT_MS, () => startOrReuse(setup));
}

/** Stops the broker recorded in the pid file, whoever started it. False when none was running. */
export async function stopLocalKafka(options: LocalKafkaOptions = {}): Promise<boolean> {
  const setup = resolveSetup(options);
  const pid = runningBrokerPid(setup);
  if (pid === undefined) return false;
  await stopBroker(setup, pid);
  return true;
}

export async function localKafkaStatus(options: LocalKafkaOptions = {}): Promise<LocalKafkaStatus> {
  const setup = resolveSetup(options);
  return {
    pid: runningBrokerPid(setup),
    portOpen: await isPortOpen(setup.port),
    brokers: brokerList(setup),
    logFile: setup.outLog,
  };
}

function resolveSetup(options: LocalKafkaOptions): BrokerSetup {
  const repoRoot = findRepoRoot();
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data', 'kafka'));
  const logsDir = join(dataDir, 'logs');
  const libsDir = resolve(options.libsDir ?? join(dataDir, 'libs'));
  return {
    port: options.port ?? 9092,
    controllerPort: options.controllerPort ?? 9093,
    heapMb: options.heapMb ?? 512,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
    log: options.log ?? ((line) => console.log(`[local-kafka] ${line}`)),
    pom: join(repoRoot, 'deploy', 'kafka', 'pom.xml'),
    log4jConfig: join(repoRoot, 'deploy', 'kafka', 'log4j.properties'),
    dataDir,
    libsDir,
    libsMarker: join(libsDir, '.resolved'),
    logsDir,
    outLog: join(logsDir, 'kafka.out'),
    kafkaLogDir: join(dataDir, 'data'),
    serverProperties: join(dataDir, 'server.properties'),
    clusterIdFile: join(dataDir, 'cluster.id'),
    pidFile: join(dataDir, 'broker.pid'),
    lockFile: join(dataDir, '.start.lock'),
  };
}

async function startOrReuse(setup: BrokerSetup): Promise<LocalKafkaHandle> {
  // Whoever held the lock before us may have just started it.
  if (await isPortOpen(setup.port)) return reusedHandle(setup);
  const alreadyLaunched = runningBrokerPid(setup);
  if (alreadyLaunched !== undefined) {
    await waitUntilServing(setup, alreadyLaunched);
    return reusedHandle(setup);
  }
  const java = requireJava();
  // Brokers of other data dirs may share the jar directory: resolve it under its own lock.
  mkdirSync(dirname(setup.libsDir), { recursive: true });
  await withFileLock(`${setup.libsDir}.lock`, LOCK_TIMEOUT_MS, () => resolveJars(setup));
  writeServerProperties(setup);
  await formatStorageOnce(setup, java);
  const pid = launchBroker(setup, java);
  try {
    await waitUntilServing(setup, pid);
  } catch (error: unknown) {
    await stopBroker(setup, pid);
    throw error;
  }
  return {
    brokers: brokerList(setup),
    startedHere: true,
    logFile: setup.outLog,
    stop: () => stopBroker(setup, pid),
  };
}

function reusedHandle(setup: BrokerSetup): LocalKafkaHandle {
  return {
    brokers: brokerList(setup),
    startedHere: false,
    logFile: setup.outLog,
    stop: async () => undefined,
  };
}

function brokerList(setup: BrokerSetup): string[] {
  return [`${HOST}:${setup.port}`];
}

/** The pid file's process, only if it is alive and still our broker (pids get reused). */
function runningBrokerPid(setup: BrokerSetup): number | undefined {
  const pid = readPidFile(setup.pidFile);
  if (pid === undefined || !isProcessAlive(pid)) return undefined;
  const commandLine = commandLineOf(pid);
  // No /proc (macOS): trust the pid file.
  if (commandLine === undefined) return pid;
  return commandLine.includes('kafka.Kafka') && commandLine.includes(setup.serverProperties)
    ? pid
    : undefined;
}

async function stopBroker(setup: BrokerSetup, pid: number): Promise<void> {
  await terminateProcess(pid);
  if (readPidFile(setup.pidFile) === pid) rmSync(setup.pidFile, { force: true });
}

// ---------------------------------------------------------------------------------------------
// Tools

function requireJava(): string {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (probe.error) {
    throw new Error(
      `Cannot start the local Kafka broker: '${java}' was not found (${probe.error.message}). ` +
        `Install Java ${MIN_JAVA}+ and Maven, or set KAFKA_BROKERS to use an existing broker.`,
    );
  }
  const major = javaMajorVersion(`${probe.stderr}${probe.stdout}`);
  if (major !== undefined && major < MIN_JAVA) {
    throw new Error(
      `Cannot start the local Kafka broker: Java ${MIN_JAVA}+ is required, '${java}' is Java ${major}.`,
    );
  }
  return java;
}

/** Parses `version "17.0.15"` and the old `version "1.8.0_392"` style. */
function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

function requireMaven(): string {
  const probe = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `Cannot resolve the local Kafka broker's jars: Maven ('mvn') is not usable ` +
        `(${probe.error?.message ?? `exit ${probe.status}`}). Install Maven (and Java ${MIN_JAVA}+), ` +
        `or set KAFKA_BROKERS to use an existing broker.`,
    );
  }
  return 'mvn';
}

// ---------------------------------------------------------------------------------------------
// Jars

/** Copies the broker's runtime jars from Maven Central once per version of deploy/kafka/pom.xml. */
async function resolveJars(setup: BrokerSetup): Promise<void> {
  const pomHash = createHash('sha256').update(readFileSync(setup.pom)).digest('hex');
  if (readTextFile(setup.libsMarker) === pomHash) return;
  const mvn = requireMaven();
  setup.log(
    `Resolving the Kafka broker jars with Maven into ${setup.libsDir} ` +
      '(the first run downloads ~50 MB from Maven Central; later starts skip this)',
  );
  // A clean directory: jars of a previous Kafka version must not stay on the classpath.
  rmSync(setup.libsDir, { recursive: true, force: true });
  const startedAt = Date.now();
  const result = await runCommand(
    mvn,
    [
      '-q',
      '-B',
      '-f',
      setup.pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${setup.libsDir}`,
      '-DincludeScope=runtime',
    ],
    { timeoutMs: MAVEN_TIMEOUT_MS },
  );
  if (result.code !== 0) {
    throw new Error(
      `Maven could not resolve the Kafka jars (exit ${result.code}):\n${lastLines(result.output)}`,
    );
  }
  writeFileSync(setup.libsMarker, pomHash);
  setup.log(`Kafka jars resolved in ${seconds(startedAt)} s`);
}

// ---------------------------------------------------------------------------------------------
// Configuration and storage

/** Rewritten on every start so port/heap options always apply; identity lives in meta.properties. */
function writeServerProperties(setup: BrokerSetup): void {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@${HOST}:${setup.controllerPort}`,
    listeners: `PLAINTEXT://${HOST}:${setup.port},CONTROLLER://${HOST}:${setup.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${HOST}:${setup.port}`,
    'inter.broker.listener.name': 'PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': propertiesPath(setup.kafkaLogDir),
    'num.partitions': 3,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    // Topics are created explicitly by the apps; a typo must not silently create a topic.
    'auto.create.topics.enable': 'false',
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    // 50 partitions each by default: slow first group join and many files for a dev broker.
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.num.partitions': 10,
    // Consumers in tests join immediately instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,
    // Topics are the source of truth (read models are rebuilt from them): keep everything.
    'log.retention.ms': -1,
    // Sized for a 2-core dev machine and a small heap (the cleaner buffer defaults to 128 MB).
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    'log.cleaner.threads': 1,
    'log.cleaner.dedupe.buffer.size': 32 * 1024 * 1024,
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
  const header =
    '# Written by libs/local-infra/src/kafka-broker.ts on every start; edit that file.';
  writeFileSync(setup.serverProperties, [header, ...lines, ''].join('\n'));
}

/** Properties files treat backslashes as escapes. */
function propertiesPath(path: string): string {
  return path.split('\\').join('/');
}

/** KRaft storage must be formatted once; formatting again would need the same cluster id. */
async function formatStorageOnce(setup: BrokerSetup, java: string): Promise<void> {
  if (existsSync(join(setup.kafkaLogDir, 'meta.properties'))) return;
  const clusterId = stableClusterId(setup);
  mkdirSync(setup.logsDir, { recursive: true });
  setup.log(`Formatting KRaft storage in ${setup.kafkaLogDir} (cluster id ${clusterId})`);
  const args = [
    ...logArgs(setup),
    '-cp',
    classpath(setup),
    'kafka.tools.StorageTool',
    'format',
    // One token: a random id may start with '-', which argparse would take for an option.
    `--cluster-id=${clusterId}`,
    '-c',
    setup.serverProperties,
    '--ignore-formatted',
  ];
  const result = await runCommand(java, args, { cwd: setup.dataDir, timeoutMs: 120_000 });
  if (result.code !== 0) {
    throw new Error(
      `Formatting the Kafka storage failed (exit ${result.code}):\n${lastLines(result.output)}`,
    );
  }
}

/** A Kafka cluster id is 16 random bytes, base64url without padding (22 characters). */
function stableClusterId(setup: BrokerSetup): string {
  const existing = readTextFile(setup.clusterIdFile);
  if (existing) return existing;
  const created = randomBytes(16).toString('base64url');
  writeFileSync(setup.clusterIdFile, created);
  return created;
}

// ---------------------------------------------------------------------------------------------
// Process

function launchBroker(setup: BrokerSetup, java: string): number {
  mkdirSync(setup.logsDir, { recursive: true });
  setup.log(`Starting Kafka on ${HOST}:${setup.port} (log: ${setup.outLog})`);
  const out = openSync(setup.outLog, 'w');
  const child = spawn(java, [...jvmArgs(setup), 'kafka.Kafka', setup.serverProperties], {
    cwd: setup.dataDir,
    // Own process group and file output: the broker survives this process (and Ctrl-C) and
    // is reused by the next run.
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  // Failure to spawn surfaces as a missing pid below; without a listener it would crash us.
  child.once('error', () => undefined);
  child.unref();
  if (child.pid === undefined) throw new Error(`Could not launch ${java}`);
  writeFileSync(setup.pidFile, String(child.pid));
  return child.pid;
}

function jvmArgs(setup: BrokerSetup): string[] {
  return [
    `-Xms${Math.min(setup.heapMb, 256)}m`,
    `-Xmx${setup.heapMb}m`,
    // The parallel collector, not the G1 of Kafka's own kafka-server-start.sh: on two cores
    // shared with the tracker, G1's concurrent threads take CPU from everyone all the time, while
    // a young collection of this small heap stops the broker for a few milliseconds. Two pairs
    // of box benches (issue 15): broker CPU 164 and 202 µs per postback against 185 and 244
    // with G1, B6's p99 123 and 119 ms against 248 and 166, B7's 74 and 63 ms against 88 and 81.
    '-XX:+UseParallelGC',
    '-Djava.awt.headless=true',
    ...logArgs(setup),
    '-cp',
    classpath(setup),
  ];
}

function logArgs(setup: BrokerSetup): string[] {
  return [
    `-Dlog4j.configuration=${pathToFileURL(setup.log4jConfig).href}`,
    `-Dkafka.logs.dir=${setup.logsDir}`,
  ];
}

/** Java expands the trailing `*` itself (no shell involved). */
function classpath(setup: BrokerSetup): string {
  return join(setup.libsDir, '*');
}

/** Ready means a Metadata request lists a broker: the port alone opens well before that. */
async function waitUntilServing(setup: BrokerSetup, pid: number): Promise<void> {
  const startedAt = Date.now();
  const deadline = startedAt + setup.startTimeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) {
      throw new Error(
        `Kafka exited during start-up. Last lines of ${setup.outLog}:\n${tailFile(setup.outLog)}`,
      );
    }
    if (await answersMetadata(setup.port)) {
      setup.log(`Kafka is serving on ${HOST}:${setup.port} after ${seconds(startedAt)} s`);
      return;
    }
    await sleep(300);
  }
  throw new Error(
    `Kafka did not serve metadata on ${HOST}:${setup.port} within ${setup.startTimeoutMs} ms. ` +
      `Last lines of ${setup.outLog}:\n${tailFile(setup.outLog)}`,
  );
}

async function answersMetadata(port: number): Promise<boolean> {
  if (!(await isPortOpen(port))) return false;
  try {
    return (await probeBrokerMetadata(HOST, port, 2000)).length > 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function readTextFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

function lastLines(text: string, count = 40): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}
