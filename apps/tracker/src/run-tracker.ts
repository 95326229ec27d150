import { availableParallelism } from 'node:os';
import { TrackerConfig } from '@tracker/config';
import { isPortOpen, servicePorts } from '@tracker/local-infra';
import {
  announce,
  composeApp,
  createRootLogger,
  loadConfigOrExit,
  resolveInfrastructure,
  runApp,
} from '@tracker/platform';
import { appEntry } from './processes/app-entry';
import { appHeapArgs } from './processes/app-heap';
import { Supervisor, waitForOk } from './processes/supervisor';
import { WORKER_APPS } from './processes/topology';
import { TRACKER_FEATURES } from './tracker.features';

export const TRACKER_TITLE = 'Postback tracker';

/**
 * `npm start` (SPEC section 6): on a machine with several cores, one supervised process per app
 * behind one port; on one core (or TRACKER_PROCESSES=single), every app in this process.
 */
export async function runTracker(): Promise<void> {
  const config = loadConfigOrExit();
  const multi =
    config.trackerProcesses === 'multi' ||
    (config.trackerProcesses === 'auto' && availableParallelism() > 1);
  if (!multi) {
    await runApp({
      name: 'tracker',
      title: TRACKER_TITLE,
      module: (runtime) => composeApp(runtime, 'tracker', TRACKER_FEATURES),
      announce: true,
    });
    return;
  }
  await runSupervised(config);
}

/**
 * Starts the embedded broker and database once, then the app processes on loopback ports and
 * the edge on the public port; restarts any that dies; Ctrl-C stops them, then what it started.
 */
async function runSupervised(config: TrackerConfig): Promise<void> {
  const logger = createRootLogger(config.logLevel, 'tracker', config.logFormat);
  // A second tracker would start its app processes next to the first one's (same consumer
  // groups) while its edge could never bind the port: refuse before starting anything.
  if (await isPortOpen(config.port)) {
    process.stderr.write(
      `Port ${config.port} is already in use (another tracker?): stop it or set PORT.\n`,
    );
    process.exit(1);
  }
  const infrastructure = await resolveInfrastructure(config, (line) => logger.info(line)).catch(
    (error: Error) => {
      // What failed and why, for a person at the terminal: no stack trace (the infrastructure
      // already stopped what it had started).
      process.stderr.write(
        `The tracker could not start its embedded infrastructure: ${error.message}\n` +
          'Set KAFKA_BROKERS or DATABASE_URL to use your own (README, "Configuration").\n',
      );
      process.exit(1);
    },
  );
  const runtime = infrastructure.config;
  const shared: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_BROKERS: runtime.kafkaBrokers.join(','),
    DATABASE_URL: runtime.databaseUrl,
    TRACKER_ADMIN_TOKEN: runtime.adminToken,
    PUBLIC_BASE_URL: runtime.publicBaseUrl,
    LOG_FORMAT: runtime.logFormat,
    TRACKER_LISTEN_HOST: '127.0.0.1',
  };
  const supervisor = new Supervisor(logger);
  const nodeArgs = appHeapArgs();
  const upstreams: Record<string, string> = {};
  const ports = await servicePorts(WORKER_APPS.length, [runtime.port]);
  for (const [index, app] of WORKER_APPS.entries()) {
    const port = ports[index];
    upstreams[app] = `http://127.0.0.1:${port}`;
    // Projections yield the CPU to the edge when the machine is busy (TRACKER_WORKER_NICE).
    supervisor.start({
      name: app,
      entry: appEntry(app),
      env: { ...shared, PORT: String(port) },
      nice: config.trackerWorkerNice,
      nodeArgs,
    });
  }
  supervisor.start({
    name: 'edge',
    entry: appEntry('tracker', 'edge'),
    env: {
      ...shared,
      PORT: String(runtime.port),
      TRACKER_LISTEN_HOST: '0.0.0.0',
      TRACKER_UPSTREAMS: JSON.stringify(upstreams),
    },
    nodeArgs,
  });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: stopping the tracker's processes`);
    await supervisor.stop();
    await infrastructure.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  const local = `http://127.0.0.1:${runtime.port}`;
  const ready = await waitForOk(`${local}/health/ready`, 5 * 60_000);
  if (closing) return;
  if (!ready) {
    logger.warn(`the tracker is not ready after 5 minutes; see ${local}/health/ready`);
    return;
  }
  logger.info(
    `${TRACKER_TITLE} listening on ${runtime.publicBaseUrl} with ${WORKER_APPS.length + 1} processes (console at /, docs at /docs)`,
  );
  announce(infrastructure);
}
