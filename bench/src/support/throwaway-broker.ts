/**
 * A Kafka broker only one benchmark writes to, so its flood never reaches the shared dev broker
 * other suites read. Its data is wiped first; the jars are copied from the dev broker's home
 * when present (no Maven run).
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { ensureLocalKafka, LocalKafkaHandle, stopLocalKafka } from '@tracker/local-infra';
import { print } from './output';
import { sleep } from './wait';

export interface ThrowawayBrokerOptions {
  root: string;
  dataDir: string;
  port: number;
  controllerPort: number;
  /** Start attempts, 10 s apart (a port can stay unbindable after the last run's broker). */
  attempts?: number;
}

export async function startThrowawayBroker(
  options: ThrowawayBrokerOptions,
): Promise<LocalKafkaHandle> {
  const { root, dataDir, port, controllerPort, attempts = 1 } = options;
  const broker = { port, controllerPort, dataDir };
  await stopLocalKafka(broker); // left over by an interrupted run
  wipeBroker(dataDir);
  const jars = path.join(root, '.data', 'kafka', 'libs');
  if (!existsSync(path.join(dataDir, 'libs')) && existsSync(path.join(jars, '.resolved'))) {
    cpSync(jars, path.join(dataDir, 'libs'), { recursive: true });
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureLocalKafka({ ...broker, log: () => undefined });
    } catch (error) {
      if (attempt >= attempts) throw error;
      print(`  broker did not start (${(error as Error).message.split('\n')[0]}); retrying`);
      await stopLocalKafka(broker);
      wipeBroker(dataDir);
      await sleep(10000);
    }
  }
}

/** Everything but the resolved jars (re-resolving them would mean a Maven run next time). */
export function wipeBroker(dataDir: string): void {
  if (!existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) {
    if (entry !== 'libs') rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  }
}

/** The broker's pid from its pid file; undefined for a broker not started here. */
export function brokerPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(path.join(dataDir, 'broker.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}
