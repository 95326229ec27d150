import { Client } from 'pg';
import { DataSource, DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { QueryErrorLogger } from './query-logger';
import { StorableClient } from './storable';

export interface AppDatabaseOptions {
  /** The owning app; also the name of its Nest data source (`@InjectDataSource(name)`). */
  name: string;
  /** The PostgreSQL schema the app owns; nobody else reads its tables. */
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

export function dataSourceOptions(url: string, options: AppDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    name: options.name,
    url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    // Each app keeps its own migration history next to its tables.
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    // Failed queries are logged without their parameters (partners' data, keys' hashes).
    logger: new QueryErrorLogger(),
    applicationName: `tracker-${options.name}`,
    // Every parameter passes through StorableClient: NUL and lone surrogates become U+FFFD.
    extra: { max: options.poolSize ?? 10, Client: StorableClient },
  };
}

/** The Nest name of an app's API data source (`@InjectDataSource(apiDataSourceName(app))`). */
export function apiDataSourceName(app: string): string {
  return `${app}-api`;
}

/** Connections of an app's API pool: its queries wait for these, never for a projection's. */
export const API_POOL_SIZE = 5;

/**
 * The app's API data source: its own small pool (projections never hold the API's connections,
 * nor the API theirs) whose sessions cancel any statement running past `statementTimeoutMs`
 * (SPEC section 9: one tenant cannot starve the others). It runs no migrations.
 */
export function apiDataSourceOptions(
  url: string,
  options: AppDatabaseOptions,
  statementTimeoutMs: number,
): DataSourceOptions {
  const base = dataSourceOptions(url, options);
  return {
    ...base,
    name: apiDataSourceName(options.name),
    migrations: [],
    applicationName: `tracker-${options.name}-api`,
    extra: {
      ...(base.extra as object),
      max: API_POOL_SIZE,
      statement_timeout: statementTimeoutMs,
    },
  } as DataSourceOptions;
}

/** Creates the app's schema: migrations need it before they can record themselves in it. */
export async function ensureSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
  } catch (error) {
    // Two replicas racing to create it: the loser sees a unique violation, which is fine.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

/** Opens the app's data source and brings its schema up to date (migrations only, never sync). */
export async function openAppDataSource(
  url: string,
  options: AppDatabaseOptions,
): Promise<DataSource> {
  await ensureSchema(url, options.schema);
  const dataSource = new DataSource(dataSourceOptions(url, options));
  await dataSource.initialize();
  try {
    await migrateExclusively(dataSource, options.schema);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Replicas of one app may start together on a fresh database; TypeORM takes no lock of its own,
 * so one session-level advisory lock per schema lets exactly one of them migrate at a time.
 */
async function migrateExclusively(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrations:${schema}`]);
    try {
      await dataSource.runMigrations();
    } finally {
      await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrations:${schema}`]);
    }
  } finally {
    await runner.release();
  }
}
