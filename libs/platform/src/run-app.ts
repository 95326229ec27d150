import { DynamicModule } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { ConfigError, loadConfig, RuntimeConfig, TrackerConfig } from '@tracker/config';
import { Logger } from 'pino';
import { startBanner } from './banner';
import { createHttpApp } from './http/create-http-app';
import { Infrastructure, resolveInfrastructure } from './infrastructure';
import { createRootLogger } from './logging/pino-logger';

export interface AppDefinition {
  /** e.g. `ingress`, or `tracker` for all apps in one process. */
  name: string;
  title: string;
  module: (config: RuntimeConfig) => DynamicModule;
  /** OpenAPI documents of other processes this one's port routes to (merged into `/docs`). */
  otherDocs?: (config: RuntimeConfig, logger: Logger) => Promise<OpenAPIObject[]>;
  /** Runs after the Nest app is built and before it listens (e.g. extra Fastify routes). */
  beforeListen?: (app: NestFastifyApplication, config: RuntimeConfig) => Promise<void>;
  /** Print the start banner (console, docs, admin token) on a terminal once listening. */
  announce?: boolean;
}

/**
 * Reads the environment into a typed config; an invalid value stops the process with a message
 * naming the variable (SPEC section 6), exit code 1.
 */
export function loadConfigOrExit(): TrackerConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Boot sequence shared by every app's main.ts: config, embedded defaults, HTTP, shutdown. */
export async function runApp(definition: AppDefinition): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createRootLogger(config.logLevel, definition.name, config.logFormat);
  const infrastructure = await resolveInfrastructure(config, (line) => logger.info(line));
  const runtime = infrastructure.config;
  const otherDocs = (await definition.otherDocs?.(runtime, logger)) ?? [];
  const app = await createHttpApp(
    definition.module(runtime),
    runtime,
    logger,
    definition.title,
    otherDocs,
  );
  await definition.beforeListen?.(app, runtime);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info(`${signal}: shutting down`);
    await app.close();
    await infrastructure.stop();
    process.exit(0);
  };
  // Nest's own hooks would exit before the embedded broker is stopped; we own the signals.
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  // The tracker's app processes listen on loopback only; the public port is the tracker's.
  const host = process.env.TRACKER_LISTEN_HOST ?? '0.0.0.0';
  await app.listen({ port: runtime.port, host });
  // Under the tracker's supervisor (TRACKER_UPSTREAMS on the edge, a loopback host on the
  // apps) the supervisor says where the tracker listens, once; here it would be said again.
  const supervised = host !== '0.0.0.0' || process.env.TRACKER_UPSTREAMS !== undefined;
  const listening =
    host === '0.0.0.0'
      ? `${definition.title} listening on ${runtime.publicBaseUrl} (docs at /docs)`
      : `${definition.title} listening on ${host}:${runtime.port} (behind the tracker's port)`;
  if (supervised) logger.debug(listening);
  else logger.info(listening);
  if (definition.announce) announce(infrastructure);
}

/** The banner on a terminal; off a terminal, one log line says where the token is. */
export function announce(infrastructure: Infrastructure): void {
  const { config, adminToken } = infrastructure;
  if (process.stdout.isTTY) {
    process.stdout.write(startBanner(config.publicBaseUrl, config.adminToken, adminToken));
  }
}
