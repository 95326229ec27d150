import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { BatchConsumer, BatchConsumerOptions } from './batch-consumer';
import { registerConsumerLagGauge } from './consumer-lag';
import { EventProducer } from './event-producer';
import { KafkaTable, KafkaTableOptions } from './kafka-table';
import { outboxRelayProblems } from './outbox-relay';
import { ensureTopics } from './topic-admin';

export interface KafkaModuleOptions {
  brokers: string[];
  clientId: string;
  /** Every consumer group id starts with it (tests and blue/green runs use their own). */
  groupPrefix: string;
  /** Partitions of topics we create. */
  topicPartitions: number;
  /**
   * Session timeout of every batch consumer unless it sets its own, and of every table
   * (KAFKA_SESSION_TIMEOUT_MS; default 30 s).
   */
  sessionTimeoutMs?: number;
}

export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

/** A readiness reason safe to show as it is (libs/platform passes errors of this name through). */
function readinessFailure(message: string): Error {
  return Object.assign(new Error(message), { name: 'ReadinessFailure' });
}

/**
 * Owns the process' Kafka lifecycle: topics and the shared producer before anything else,
 * tables (warm caches) and consumers once every module registered its own, and on shutdown
 * drains consumers before the producer and the database close.
 */
@Injectable()
export class KafkaRuntime
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(KafkaRuntime.name);
  private readonly consumers: BatchConsumer[] = [];
  private readonly groups: Array<{ groupId: string; topics: string[] }> = [];
  private readonly tables: KafkaTable<unknown>[] = [];
  private started = false;
  private admin: Admin | null = null;

  constructor(
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    @Inject(KAFKA_CLIENT) readonly kafka: Kafka,
    readonly producer: EventProducer,
  ) {}

  groupId(name: string): string {
    return `${this.options.groupPrefix}.${name}`;
  }

  /** Registers a consumer in group `<prefix>.<group>`; it starts with the application. */
  createConsumer(options: Omit<BatchConsumerOptions, 'groupId'> & { group: string }) {
    const consumer = new BatchConsumer(this.kafka, this.producer, {
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      ...options,
      groupId: this.groupId(options.group),
    });
    this.groups.push({ groupId: this.groupId(options.group), topics: options.topics });
    this.consumers.push(consumer);
    if (this.started) void this.startConsumer(consumer);
    return consumer;
  }

  /** Registers a table; the application does not serve before every table is loaded. */
  createTable<V>(options: Omit<KafkaTableOptions<V>, 'groupPrefix'> & { name: string }) {
    const table = new KafkaTable<V>(this.kafka, {
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      ...options,
      groupPrefix: this.groupId(`${options.name}.table`),
    });
    this.tables.push(table as KafkaTable<unknown>);
    return table;
  }

  async onModuleInit(): Promise<void> {
    await ensureTopics(this.kafka, this.options.topicPartitions);
    await this.producer.connect();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    registerConsumerLagGauge(
      () => this.admin!,
      () => this.groups,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.tables.map((table) => table.start()));
    await Promise.all(this.consumers.map((consumer) => this.startConsumer(consumer)));
    this.started = true;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
    await Promise.all(this.tables.map((table) => table.stop()));
    await this.producer.disconnect();
    await this.admin?.disconnect();
  }

  /**
   * Readiness component: resolves while every consumer consumes; rejects naming those that do
   * not (crashed and restarting by themselves), so `/health/ready` says why.
   */
  async consumersRunning(): Promise<void> {
    if (!this.started) throw readinessFailure('consumers not started yet');
    const problems = this.consumers
      .filter((consumer) => consumer.health !== null)
      .map((consumer) => `${consumer.name}: ${consumer.health}`);
    if (problems.length > 0) throw readinessFailure(problems.join('; '));
  }

  /**
   * Readiness component: resolves while every outbox relay of this process publishes; rejects
   * naming those whose rounds fail (they retry by themselves). Null-safe: no relay, no problem.
   */
  async relaysRunning(): Promise<void> {
    const problems = outboxRelayProblems() ?? [];
    if (problems.length > 0) throw readinessFailure(problems.join('; '));
  }

  /** Whether this process relays an outbox (readiness lists the component only then). */
  get hasRelays(): boolean {
    return outboxRelayProblems() !== null;
  }

  /** Readiness: the cluster answers a metadata request. */
  async ping(timeoutMs = 2000): Promise<void> {
    if (!this.admin) throw new Error('Kafka is not connected yet');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Kafka did not answer in time')), timeoutMs);
    });
    try {
      await Promise.race([this.admin.describeCluster(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async startConsumer(consumer: BatchConsumer): Promise<void> {
    await consumer.start();
    this.logger.log(`consumer ${consumer.name} started`);
  }
}
