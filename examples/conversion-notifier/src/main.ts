import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { NotifierModule, notifierTransport } from './notifier.module';

/** KAFKA_BROKERS (host:port, comma-separated) and NOTIFIER_GROUP (default conversion-notifier). */
async function main(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim());
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(
    NotifierModule,
    notifierTransport({ brokers, groupId: process.env.NOTIFIER_GROUP ?? 'conversion-notifier' }),
  );
  app.enableShutdownHooks();
  await app.listen();
}

void main();
