import { DynamicModule, Global, Module } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { EventProducer } from './event-producer';
import { createKafkaClient } from './kafka-client';
import { KAFKA_CLIENT, KAFKA_OPTIONS, KafkaModuleOptions, KafkaRuntime } from './kafka.runtime';

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        {
          provide: KAFKA_CLIENT,
          useFactory: () =>
            createKafkaClient({ brokers: options.brokers, clientId: options.clientId }),
        },
        {
          provide: EventProducer,
          useFactory: (kafka: Kafka) => new EventProducer(kafka),
          inject: [KAFKA_CLIENT],
        },
        KafkaRuntime,
      ],
      exports: [KAFKA_CLIENT, EventProducer, KafkaRuntime],
    };
  }
}
