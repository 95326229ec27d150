import * as path from 'node:path';
import { ensureLocalKafka, ensureLocalPostgres } from '../../../local-infra/src'; // globalSetup runs outside jest's module mapper;

/**
 * Real infrastructure for the whole run: the project's own Kafka broker (or KAFKA_BROKERS)
 * and an embedded PostgreSQL (or DATABASE_URL). Suites create their own databases in it.
 */
export default async function globalSetup(): Promise<void> {
  const dataDir = path.join(__dirname, '../../../../.data');
  const log = (line: string) => process.stdout.write(`[test infra] ${line}\n`);
  const stops: Array<() => Promise<void>> = [];
  if (!process.env.KAFKA_BROKERS) {
    const kafka = await ensureLocalKafka({ dataDir: path.join(dataDir, 'kafka'), log });
    process.env.KAFKA_BROKERS = kafka.brokers.join(',');
    stops.push(() => kafka.stop());
  }
  if (!process.env.TEST_DATABASE_URL) {
    if (process.env.DATABASE_URL) {
      process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    } else {
      const postgres = await ensureLocalPostgres({ dataDir: path.join(dataDir, 'postgres'), log });
      process.env.TEST_DATABASE_URL = postgres.url;
      stops.push(() => postgres.stop());
    }
  }
  (globalThis as { __trackerInfraStops?: Array<() => Promise<void>> }).__trackerInfraStops = stops;
}
