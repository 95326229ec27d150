import { createEvent, dlqTopic, PostbackReceivedEvent } from '@tracker/contracts';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createKafkaClient } from '../src/kafka-client';
import { ensureTopics } from '../src/topic-admin';

/** A private topic pair (topic + DLQ) so suites never see each other's messages. */
export async function createTestTopic(label: string, partitions = 2): Promise<string> {
  const topic = `test.${label}.${randomBytes(4).toString('hex')}`;
  await ensureTopics(testKafka(), partitions, [
    { name: topic, compacted: false },
    { name: dlqTopic(topic), compacted: false },
  ]);
  return topic;
}

export function testKafka() {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set (jest global setup)');
  return createKafkaClient({ brokers: brokers.split(','), clientId: 'kafka-lib-test' });
}

export function samplePostback(clickId: string, n: number): PostbackReceivedEvent {
  const integrationId = randomUUID();
  return createEvent(
    'PostbackReceived',
    {
      method: 'GET',
      url: `/api/postbacks/${integrationId}/tracker-postback?tracker.event=registration&click_id=${clickId}&n=${n}`,
      query: { 'tracker.event': 'registration', click_id: clickId, n: String(n) },
      body: null,
      remoteAddress: '127.0.0.1',
      userAgent: 'test',
      event: 'registration',
      clickId,
      receivedAt: new Date().toISOString(),
    },
    { accountId: randomUUID(), integrationId, correlationId: clickId },
  );
}

/** The projection under test: one row per event id, written idempotently in one transaction. */
export const PROJECTION_DDL = `
  CREATE TABLE IF NOT EXISTS projected (
    event_id uuid PRIMARY KEY,
    n int NOT NULL,
    deliveries int NOT NULL DEFAULT 1
  )`;

export async function projectBatch(client: Client, events: PostbackReceivedEvent[]) {
  await client.query('BEGIN');
  try {
    await client.query(
      `INSERT INTO projected (event_id, n)
         SELECT * FROM unnest($1::uuid[], $2::int[])
       ON CONFLICT (event_id) DO UPDATE SET deliveries = projected.deliveries + 1`,
      [events.map((e) => e.id), events.map((e) => Number(e.payload.query.n))],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
