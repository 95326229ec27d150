import { Kafka } from 'kafkajs';
import { EventProducer } from './event-producer';
import { KafkaRuntime } from './kafka.runtime';

/** A Kafka client that only records the options each consumer is created with. */
function recordingKafka(): { kafka: Kafka; consumers: Array<Record<string, unknown>> } {
  const consumers: Array<Record<string, unknown>> = [];
  const kafka = {
    consumer: (options: Record<string, unknown>) => {
      consumers.push(options);
      return {};
    },
    admin: () => ({}),
  } as unknown as Kafka;
  return { kafka, consumers };
}

describe('KafkaTable session timeout (KAFKA_SESSION_TIMEOUT_MS, as the batch consumers)', () => {
  it('takes the configured session timeout, with a heartbeat of a third of it', () => {
    const { kafka, consumers } = recordingKafka();
    const runtime = new KafkaRuntime(
      {
        brokers: [],
        clientId: 'test',
        groupPrefix: 'p',
        topicPartitions: 1,
        sessionTimeoutMs: 6000,
      },
      kafka,
      {} as EventProducer,
    );
    runtime.createTable({ name: 'accounts', topic: 't', toValue: () => null });
    expect(consumers[0]).toMatchObject({ sessionTimeout: 6000, heartbeatInterval: 2000 });
  });

  it('keeps 30 s with a 3 s heartbeat when none is configured', () => {
    const { kafka, consumers } = recordingKafka();
    const runtime = new KafkaRuntime(
      { brokers: [], clientId: 'test', groupPrefix: 'p', topicPartitions: 1 },
      kafka,
      {} as EventProducer,
    );
    runtime.createTable({ name: 'accounts', topic: 't', toValue: () => null });
    expect(consumers[0]).toMatchObject({ sessionTimeout: 30000, heartbeatInterval: 3000 });
  });
});
