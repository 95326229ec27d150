import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  createEvent,
  findIntegrationTemplate,
  IntegrationChangedPayload,
  Topics,
} from '@tracker/contracts';
import { createKafkaClient, EventProducer, TopicReader } from '@tracker/kafka';
import { ensureLocalKafka, findRepoRoot, stopLocalKafka } from '@tracker/local-infra';
import { eventually, freePort, startTestApp, TestApp } from '@tracker/testing';
import { randomUUID } from 'node:crypto';
import { DurablePublisher } from '../src/durability/durable-publisher';
import { IngressModule } from '../src/ingress.module';

// Our own broker to stop and start (the run's broker serves the other suites), on free ports
// under the OS temp dir: another run on this machine must not collide with it.
const BROKER = {
  port: 0,
  controllerPort: 0,
  dataDir: mkdtempSync(path.join(tmpdir(), 'tracker-outage-')),
  libsDir: path.join(findRepoRoot(), '.data', 'kafka', 'libs'),
  log: () => undefined,
};
let BROKERS: string[] = [];
const OUTAGE_MS = 30_000;
const POSTBACKS = 1000;

describe('ingress while the broker is down (a broker of its own)', () => {
  let app: TestApp;
  let seed: EventProducer;
  let integration: IntegrationChangedPayload;

  beforeAll(async () => {
    BROKER.port = await freePort();
    BROKER.controllerPort = await freePort();
    BROKERS = [`127.0.0.1:${BROKER.port}`];
    await ensureLocalKafka(BROKER);
    app = await startTestApp({
      name: 'ingress-outage',
      features: [IngressModule],
      databaseUrl: process.env.TEST_DATABASE_URL,
      // kafkajs logs every refused connection during the outage: expected, so kept quiet.
      config: { kafkaBrokers: BROKERS, logLevel: 'fatal' },
    });
    seed = new EventProducer(createKafkaClient({ brokers: BROKERS, clientId: 'outage-seed' }));
    await seed.connect();
    const template = findIntegrationTemplate('pocket-option-revshare')!;
    const now = new Date().toISOString();
    integration = {
      id: randomUUID(),
      accountId: randomUUID(),
      name: 'Outage',
      template: template.id,
      clickIdParam: template.clickIdParam,
      amountParam: template.amountParam,
      defaultCurrency: template.defaultCurrency,
      fieldParams: {},
      enabled: true,
      createdAt: now,
      updatedAt: now,
      rateLimitPerSecond: null,
      events: [],
      registrationLinks: [],
    };
    await seed.publish(
      Topics.Integrations,
      createEvent('IntegrationChanged', integration, {
        accountId: integration.accountId,
        integrationId: integration.id,
      }),
      integration.id,
    );
  }, 120_000);

  afterAll(async () => {
    await seed?.disconnect();
    await app?.close();
    await stopLocalKafka(BROKER);
    rmSync(BROKER.dataDir, { recursive: true, force: true });
  }, 60_000);

  it(
    'answers every postback 200 from the spool and publishes each exactly once, in order, after restart',
    async () => {
      const url = (n: number) =>
        `${app.baseUrl}/api/postbacks/${integration.id}/tracker-postback?tracker.event=registration&n=${n}`;
      const send = async (n: number) => {
        const res = await fetch(url(n));
        return { status: res.status, id: ((await res.json()) as { id?: string }).id };
      };
      const before = await send(-1);
      expect(before.status).toBe(200);

      await stopLocalKafka(BROKER);
      const started = Date.now();
      const accepted: Array<{ status: number; id?: string }> = [];
      for (let n = 0; n < POSTBACKS; n++) {
        accepted.push(await send(n));
        // Paced over the outage window, so requests keep arriving while the client retries.
        const due = started + ((n + 1) * OUTAGE_MS) / POSTBACKS;
        if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      expect(accepted.filter((a) => a.status !== 200)).toEqual([]);
      const publisher = app.app.get(DurablePublisher);
      expect(publisher.spoolIsEmpty).toBe(false);
      // SPEC section 4: Kafka down alone never makes the ingress unready (the spool takes it).
      const ready = await fetch(`${app.baseUrl}/health/ready`);
      const health = (await ready.json()) as {
        checks: Record<string, string>;
        components: Record<string, string>;
      };
      expect(ready.status).toBe(200);
      expect(health.checks.durability).toBe('up');
      expect(health.components.kafka).toMatch(/^down/);

      await ensureLocalKafka(BROKER);
      await eventually(() => expect(publisher.spoolIsEmpty).toBe(true), { timeoutMs: 30_000 });
      const after = await send(POSTBACKS);
      expect(after.status).toBe(200);

      const reader = await new TopicReader(
        createKafkaClient({ brokers: BROKERS, clientId: 'outage-reader' }),
        Topics.Postbacks,
      ).start();
      try {
        const ids = [before, ...accepted, after].map((a) => a.id!);
        const wanted = new Set(ids);
        const onTopic = await eventually(
          () => {
            const mine = reader.messages.filter((m) => m.event && wanted.has(m.event.id));
            expect(mine.length).toBeGreaterThanOrEqual(ids.length);
            return mine;
          },
          { timeoutMs: 20_000 },
        );
        const seen = onTopic.map((m) => m.event!.id);
        expect(new Set(seen).size).toBe(seen.length); // no duplicates
        // One key (no click id), hence one partition: the topic keeps the acceptance order.
        expect(seen).toEqual(ids);
      } finally {
        await reader.stop();
      }
    },
    OUTAGE_MS + 90_000,
  );
});
