import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { RuntimeConfig, TrackerConfig } from '@tracker/config';
import { createDatabase, ensureLocalKafka, ensureLocalPostgres } from '@tracker/local-infra';

export interface Infrastructure {
  config: RuntimeConfig;
  /** Stops the embedded broker and database if this process started them. */
  stop(): Promise<void>;
}

/**
 * The embedded defaults of SPEC section 6: a local Kafka broker when KAFKA_BROKERS is unset,
 * an embedded PostgreSQL when DATABASE_URL is unset, a generated admin token when none is set.
 */
export async function resolveInfrastructure(
  config: TrackerConfig,
  log: (line: string) => void,
): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  let kafkaBrokers = config.kafkaBrokers;
  if (!kafkaBrokers) {
    const kafka = await ensureLocalKafka({ dataDir: path.join(config.dataDir, 'kafka'), log });
    kafkaBrokers = kafka.brokers;
    stops.push(() => kafka.stop());
    log(
      `Kafka: ${kafka.startedHere ? 'started local broker' : 'reusing broker'} at ${kafkaBrokers.join(',')}`,
    );
  }
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const postgres = await ensureLocalPostgres({
      dataDir: path.join(config.dataDir, 'postgres'),
      log,
    });
    databaseUrl = await createDatabase(postgres.url, 'tracker');
    stops.push(() => postgres.stop());
    log(`PostgreSQL: ${postgres.startedHere ? 'started embedded server' : 'reusing server'}`);
  }
  let adminToken = config.adminToken;
  if (!adminToken) {
    adminToken = randomBytes(24).toString('base64url');
    log(`TRACKER_ADMIN_TOKEN was not set; generated for this run: ${adminToken}`);
  }
  return {
    config: { ...config, kafkaBrokers, databaseUrl, adminToken },
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
