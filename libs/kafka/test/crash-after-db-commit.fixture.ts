/**
 * Child process for the crash test: consumes one batch, commits it to PostgreSQL, then dies
 * with SIGKILL before the consumer can commit the Kafka offsets.
 * argv: <topic> <groupId> <databaseUrl>
 */
import { Client } from 'pg';
import { PostbackReceivedEvent } from '@tracker/contracts';
import { BatchConsumer } from '../src/batch-consumer';
import { EventProducer } from '../src/event-producer';
import { projectBatch, testKafka } from './kafka-test-kit';

async function main() {
  const [topic, groupId, databaseUrl] = process.argv.slice(2);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const kafka = testKafka();
  const producer = new EventProducer(kafka);
  await producer.connect();
  const consumer = new BatchConsumer(kafka, producer, {
    name: 'crash-fixture',
    groupId,
    topics: [topic],
    // Short session: the survivor in the test must not wait 30 s for this member to expire.
    sessionTimeoutMs: 6000,
    handle: async (messages) => {
      await projectBatch(
        db,
        messages.map((m) => m.event as PostbackReceivedEvent),
      );
      process.stdout.write(`committed ${messages.length}\n`);
      process.kill(process.pid, 'SIGKILL');
    },
  });
  await consumer.start();
}

void main();
