/**
 * B1's second reference: the least a durable postback endpoint can do on this stack. A Fastify
 * route hands the request's URL and query to kafkajs (idempotent, acks=all, gathered for 2 ms
 * like libs/kafka's producer, same partitioner) and answers 200 once the broker acknowledged.
 * No contract, no envelope, no spool, no metrics: what is left between it and the hello-world is
 * the stack's and the machine's (the load tool and the broker share the cores with the server).
 *
 * Env: PORT, KAFKA_BROKERS, TOPIC, PARTITIONS.
 */
import Fastify from 'fastify';
// The reference measures the stack underneath libs/kafka, so it may not go through it.
// eslint-disable-next-line no-restricted-imports
import { CompressionTypes, Kafka, logLevel, Message, Partitioners } from 'kafkajs';

const LINGER_MS = 2;

interface Waiting {
  message: Message;
  resolve: () => void;
  reject: (error: Error) => void;
}

async function main(): Promise<void> {
  const topic = process.env.TOPIC!;
  const kafka = new Kafka({
    clientId: 'bench-minimal',
    brokers: process.env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: Number(process.env.PARTITIONS ?? 3) }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();

  let queue: Waiting[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight = false;
  const flush = (): void => {
    timer = null;
    if (inFlight || queue.length === 0) return;
    const batch = queue;
    queue = [];
    inFlight = true;
    producer
      .sendBatch({
        topicMessages: [{ topic, messages: batch.map((w) => w.message) }],
        acks: -1,
        compression: CompressionTypes.None,
      })
      .then(
        () => batch.forEach((w) => w.resolve()),
        (error: Error) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        inFlight = false;
        if (queue.length > 0) flush();
      });
  };
  const send = (message: Message) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ message, resolve, reject });
      if (!inFlight && !timer) timer = setTimeout(flush, LINGER_MS);
    });

  const app = Fastify({ logger: false });
  app.get('/api/postbacks/:integrationId/tracker-postback', async (request, reply) => {
    const query = request.query as Record<string, string>;
    await send({
      key: query.click_id ?? (request.params as { integrationId: string }).integrationId,
      value: JSON.stringify({
        url: request.raw.url,
        query,
        receivedAt: new Date().toISOString(),
      }),
    });
    return reply.type('application/json; charset=utf-8').send('{"status":"accepted"}');
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => producer.disconnect())
      .finally(() => process.exit(0));
  });
}

main().catch((error: Error) => {
  process.stderr.write(`minimal Kafka server: ${error.message}\n`);
  process.exit(1);
});
