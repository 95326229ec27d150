import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLocalKafka, type LocalKafkaHandle } from './kafka-broker';
import { probeBrokerMetadata } from './kafka-metadata-probe';
import { freePort, isPortOpen } from './processes';
import { findRepoRoot } from './repo-root';

// A cold first run resolves ~50 MB of jars with Maven before the broker starts.
const COLD_START_MS = 10 * 60_000;

describe('ensureLocalKafka', () => {
  let first: LocalKafkaHandle;

  beforeAll(async () => {
    first = await ensureLocalKafka({ log: () => undefined });
  }, COLD_START_MS);

  // stop() is a no-op unless this suite started the broker, so a shared broker is left alone.
  afterAll(() => first?.stop(), 60_000);

  it('serves Kafka metadata on 127.0.0.1:9092', async () => {
    expect(first.brokers).toEqual(['127.0.0.1:9092']);
    const brokers = await probeBrokerMetadata('127.0.0.1', 9092);
    expect(brokers.length).toBeGreaterThan(0);
  });

  it('reuses an already running broker instead of starting another', async () => {
    const second = await ensureLocalKafka({ log: () => undefined });

    expect(second.startedHere).toBe(false);
    expect(second.brokers).toEqual(first.brokers);
    await second.stop();
    expect(await isPortOpen(9092)).toBe(true);
  });
});

describe('ensureLocalKafka on a fresh data directory', () => {
  it('formats storage whose cluster id starts with a dash (argparse must not take it for an option)', async () => {
    const dataDir = join(findRepoRoot(), '.data', `kafka-format-test-${process.pid}`);
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'cluster.id'), '-0_vC88TvCu0OQ7mRa2WtA');
    // Ports of its own: a fixed pair met a broker left behind by another run on this machine.
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const broker = await ensureLocalKafka({
      port,
      controllerPort,
      dataDir,
      log: () => undefined,
    });
    try {
      expect(broker.startedHere).toBe(true);
      expect((await probeBrokerMetadata('127.0.0.1', port)).length).toBeGreaterThan(0);
    } finally {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
