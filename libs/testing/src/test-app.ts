import { DynamicModule, Type } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfig, RuntimeConfig } from '@tracker/config';
import { composeApp, createHttpApp, createRootLogger } from '@tracker/platform';
import { freePort } from '@tracker/local-infra';
import { createTestDatabase } from './test-database';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  config: RuntimeConfig;
  close(): Promise<void>;
}

export interface TestAppOptions {
  name: string;
  features: Array<Type<unknown> | DynamicModule>;
  /** Reuse a database (e.g. to restart an app on its data); a fresh one otherwise. */
  databaseUrl?: string;
  /** Reuse consumer groups (e.g. to resume after a restart); fresh ones otherwise. */
  groupPrefix?: string;
  config?: Partial<RuntimeConfig>;
}

/** Config for a test process: the shared broker, its own database and consumer groups. */
export async function testConfig(
  options: Omit<TestAppOptions, 'features'>,
): Promise<RuntimeConfig> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run the tests through jest (global setup)');
  const port = await freePort();
  const suffix = randomBytes(4).toString('hex');
  const base = loadConfig({ PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  return {
    ...base,
    kafkaBrokers: brokers.split(','),
    databaseUrl: options.databaseUrl ?? (await createTestDatabase(options.name)),
    adminToken: `test-admin-${suffix}-${randomBytes(8).toString('hex')}`,
    kafkaGroupPrefix: options.groupPrefix ?? `test.${options.name}.${suffix}`,
    spoolDir: path.join(os.tmpdir(), `tracker-spool-${suffix}`),
    ...options.config,
  };
}

/** Boots the given app modules exactly as main.ts does, on a free port. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const config = await testConfig(options);
  const logger = createRootLogger(config.logLevel, options.name);
  const app = await createHttpApp(
    composeApp(config, options.name, options.features),
    config,
    logger,
    options.name,
  );
  await app.listen({ port: config.port, host: '127.0.0.1' });
  return {
    app,
    baseUrl: `http://127.0.0.1:${config.port}`,
    config,
    close: () => app.close(),
  };
}
