import { DynamicModule, Global, Inject, Module, OnModuleInit } from '@nestjs/common';
import { ConfigModule, RuntimeConfig } from '@tracker/config';
import { KafkaModule, KafkaRuntime } from '@tracker/kafka';
import { HealthController } from './health/health.controller';
import { ReadinessRegistry } from './health/readiness.registry';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsExposition } from './metrics/metrics-exposition';

const APP_NAME = Symbol('APP_NAME');

/** Registers Kafka as a readiness check; databases register themselves per app. */
@Global()
@Module({})
export class PlatformModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly kafka: KafkaRuntime,
    @Inject(APP_NAME) private readonly appName: string,
  ) {}

  /** Config, Kafka, health, metrics: what every app process needs once. */
  static forRoot(config: RuntimeConfig, appName: string): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        ConfigModule.forRoot(config),
        KafkaModule.forRoot({
          brokers: config.kafkaBrokers,
          clientId: `tracker-${appName}`,
          groupPrefix: config.kafkaGroupPrefix,
          topicPartitions: config.kafkaTopicPartitions,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [ReadinessRegistry, MetricsExposition, { provide: APP_NAME, useValue: appName }],
      exports: [ReadinessRegistry, MetricsExposition, APP_NAME],
    };
  }

  onModuleInit(): void {
    this.readiness.register('kafka', () => this.kafka.ping());
    this.readiness.registerComponent('consumers', () => this.kafka.consumersRunning());
    // Providers exist by now: an app with an outbox lists its relays' state too.
    if (this.kafka.hasRelays) {
      this.readiness.registerComponent('relays', () => this.kafka.relaysRunning());
    }
  }
}
