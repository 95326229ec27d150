import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureLocalKafka, ensureLocalPostgres, freePort } from '../../../local-infra/src'; // globalSetup runs outside jest's module mapper;

/**
 * Real infrastructure for the whole run, private to it (SPEC section 6): with KAFKA_BROKERS unset,
 * a broker of its own on free ports under the OS temp dir, and with neither TEST_DATABASE_URL nor
 * DATABASE_URL, an embedded PostgreSQL the same way. Both are removed by global-teardown, so a
 * test run never meets a running tracker's history (fresh test groups would re-read all of it)
 * and two runs on one machine never share a broker. The broker's jars are resolved once into
 * `.data/kafka/libs`, shared with `npm start`.
 */
export default async function globalSetup(): Promise<void> {
  // Each project with infrastructure (int, e2e) calls this; the first one starts it for all.
  if (infra().__trackerInfraStops) return;
  const repoRoot = path.join(__dirname, '../../../..');
  const log = (line: string) => process.stdout.write(`[test infra] ${line}\n`);
  const stops: Array<() => Promise<void>> = [];
  const scratch = mkdtempSync(path.join(tmpdir(), 'tracker-test-'));
  // The embedded PostgreSQL runs as the 'postgres' user when we are root: it must enter this.
  chmodSync(scratch, 0o711);
  stops.push(async () => rmSync(scratch, { recursive: true, force: true }));
  try {
    if (!process.env.KAFKA_BROKERS) {
      const kafka = await ensureLocalKafka({
        dataDir: path.join(scratch, 'kafka'),
        libsDir: path.join(repoRoot, '.data', 'kafka', 'libs'),
        port: await freePort(),
        controllerPort: await freePort(),
        log,
      });
      process.env.KAFKA_BROKERS = kafka.brokers.join(',');
      stops.push(() => kafka.stop());
    }
    if (!process.env.TEST_DATABASE_URL) {
      if (process.env.DATABASE_URL) {
        process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
      } else {
        const postgres = await ensureLocalPostgres({
          dataDir: path.join(scratch, 'postgres'),
          port: await freePort(),
          log,
        });
        process.env.TEST_DATABASE_URL = postgres.url;
        stops.push(() => postgres.stop());
      }
    }
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
  infra().__trackerInfraStops = stops;
}

/** Where setup leaves the stops for teardown (both run in jest's parent process). */
export function infra(): { __trackerInfraStops?: Array<() => Promise<void>> } {
  return globalThis as { __trackerInfraStops?: Array<() => Promise<void>> };
}
