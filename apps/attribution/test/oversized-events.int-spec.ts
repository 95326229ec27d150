/**
 * One partner must not stop attribution for every tenant (SPEC section 9: sizes bounded end to
 * end). A click that gathered megabytes of custom fields still yields a conversion the broker
 * accepts, and an outbox row too large for the broker is dead-lettered instead of retried ahead
 * of every other tenant's rows.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { dlqTopic, Topics } from '@tracker/contracts';
import { MAX_MESSAGE_BYTES } from '@tracker/kafka';
import {
  closeSeedProducer,
  createTestDatabase,
  eventually,
  seedAccount,
  SeededAccount,
  seedIntegration,
  startTestApp,
  TestApp,
  testKafka,
  TopicTail,
} from '@tracker/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AttributionModule } from '../src/attribution.module';
import { ATTRIBUTION_DB, Tables } from '../src/shared/schema';
import {
  clickRegistered,
  freshGroupPrefix,
  newClickId,
  OutputReader,
  postbackReceived,
  publish,
} from './attribution-fixtures';

describe('attribution: oversized events never wedge the outbox', () => {
  let partner: SeededAccount;
  let other: SeededAccount;
  let reader: OutputReader;
  let dlq: TopicTail;
  let app: TestApp;

  beforeAll(async () => {
    [partner, other] = await Promise.all([seedAccount('Fields flood'), seedAccount('Bystander')]);
    reader = await new OutputReader().start();
    dlq = await new TopicTail(
      testKafka('attribution-oversized'),
      dlqTopic(Topics.Conversions),
    ).start();
    app = await startTestApp({
      name: 'attribution-oversized',
      features: [AttributionModule],
      databaseUrl: await createTestDatabase('attribution_oversized'),
      groupPrefix: await freshGroupPrefix('attribution-oversized'),
    });
  });

  afterAll(async () => {
    await app?.close();
    await reader?.stop();
    await dlq?.stop();
    await closeSeedProducer();
  });

  it('given 2.2 MB of fields on a click, when it deposits, then its conversion and another tenant’s are published', async () => {
    const integration = await seedIntegration(partner.account.id);
    const clickId = newClickId();
    const floods = Array.from({ length: 160 }, (_, n) =>
      postbackReceived(integration, {
        'tracker.event': 'registration',
        click_id: clickId,
        [`fields.a${n}`]: 'a'.repeat(7000),
        [`fields.b${n}`]: 'b'.repeat(7000),
      }),
    );
    const deposit = postbackReceived(integration, {
      'tracker.event': 'resale',
      click_id: clickId,
      sumdep: '50',
    });
    const bystanderIntegration = await seedIntegration(other.account.id);
    const bystanderClick = newClickId();
    const registration = postbackReceived(bystanderIntegration, {
      'tracker.event': 'registration',
      click_id: bystanderClick,
    });

    await publish([clickRegistered(partner.account.id, { clickId }), ...floods, deposit]);
    await publish([clickRegistered(other.account.id, { clickId: bystanderClick }), registration]);

    await eventually(
      () => {
        expect(reader.conversionsOf(registration.id)).toHaveLength(1);
        expect(reader.conversionsOf(deposit.id)).toHaveLength(1);
      },
      { timeoutMs: 60_000 },
    );
    const [conversion] = reader.conversionsOf(deposit.id);
    expect(Buffer.byteLength(JSON.stringify(conversion))).toBeLessThan(MAX_MESSAGE_BYTES / 2);
    expect(conversion.payload.ordinal).toBe(1);
  });

  it('given an outbox row above the broker limit, when relayed, then it is dead-lettered and later rows go out', async () => {
    const dataSource = app.app.get<DataSource>(getDataSourceToken(ATTRIBUTION_DB));
    const integration = await seedIntegration(other.account.id);
    const eventId = randomUUID();
    const oversized = {
      id: eventId,
      type: 'ConversionRecorded',
      version: 1,
      occurredAt: new Date().toISOString(),
      accountId: other.account.id,
      integrationId: integration.id,
      correlationId: 'oversized',
      causationId: null,
      payload: { padding: 'p'.repeat(MAX_MESSAGE_BYTES) },
    };
    await dataSource.query(
      `INSERT INTO ${Tables.outbox} (event_id, topic, message_key, event) VALUES ($1, $2, $3, $4)`,
      [eventId, Topics.Conversions, 'oversized', JSON.stringify(oversized)],
    );
    const clickId = newClickId();
    const later = postbackReceived(integration, {
      'tracker.event': 'registration',
      click_id: clickId,
    });

    await publish([clickRegistered(other.account.id, { clickId }), later]);

    await eventually(() => expect(reader.conversionsOf(later.id)).toHaveLength(1), {
      timeoutMs: 30_000,
    });
    await eventually(() => {
      const letter = dlq.records.find((record) => record.value?.toString('utf8').includes(eventId));
      expect(letter?.headers['dlq.reason']).toMatch(/exceeds the broker limit/);
      expect(letter?.headers['dlq.step']).toBe('attribution.outbox');
    });
    // The relay marks the row in the transaction that sent its dead letter: it commits after.
    await eventually(async () => {
      const [pending] = await dataSource.query(
        `SELECT count(*)::int AS n FROM ${Tables.outbox} WHERE published_at IS NULL AND event_id = $1`,
        [eventId],
      );
      expect(pending.n).toBe(0);
    });
  });
});
