import { Module } from '@nestjs/common';
import { KafkaOptions, Transport } from '@nestjs/microservices';
import { ConversionEnvelopeDeserializer } from './conversion-envelope.deserializer';
import { ConversionsController } from './conversions.controller';
import { NotificationSink } from './notification-sink';

@Module({ controllers: [ConversionsController], providers: [NotificationSink] })
export class NotifierModule {}

export interface NotifierSettings {
  brokers: string[];
  /** The subscriber's own consumer group: its offsets are its own, apart from the tracker's. */
  groupId: string;
  clientId?: string;
}

/**
 * The Kafka transport of `@nestjs/microservices` for `tracker.conversions.v1`. kafkajs resolves
 * a message's offset only after its handler returned, and auto-commit commits resolved offsets
 * only: a handler that throws is retried, never skipped. Commits are periodic, so after a crash
 * a few handled messages come again; the sink drops them by event id.
 */
export function notifierTransport(settings: NotifierSettings): KafkaOptions {
  return {
    transport: Transport.KAFKA,
    options: {
      client: { brokers: settings.brokers, clientId: settings.clientId ?? 'conversion-notifier' },
      consumer: { groupId: settings.groupId, allowAutoTopicCreation: false },
      subscribe: { fromBeginning: false },
      parser: { keepBinary: true },
      deserializer: new ConversionEnvelopeDeserializer(),
    },
  };
}
