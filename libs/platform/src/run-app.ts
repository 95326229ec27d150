import { DynamicModule } from '@nestjs/common';
import { ConfigError, loadConfig, RuntimeConfig } from '@tracker/config';
import { createRootLogger } from './logging/pino-logger';
import { createHttpApp } from './http/create-http-app';
import { resolveInfrastructure } from './infrastructure';

export interface AppDefinition {
  /** e.g. `ingress`, or `tracker` for all apps in one process. */
  name: string;
  title: string;
  module: (config: RuntimeConfig) => DynamicModule;
}

/** Boot sequence shared by every app's main.ts: config, embedded defaults, HTTP, shutdown. */
export async function runApp(definition: AppDefinition): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createRootLogger(config.logLevel, definition.name);
  const infrastructure = await resolveInfrastructure(config, (line) => logger.info(line));
  const app = await createHttpApp(
    definition.module(infrastructure.config),
    infrastructure.config,
    logger,
    definition.title,
  );
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
  await app.listen({ port: infrastructure.config.port, host: '0.0.0.0' });
  logger.info(
    `${definition.title} listening on ${infrastructure.config.publicBaseUrl} (docs at /docs)`,
  );
}
