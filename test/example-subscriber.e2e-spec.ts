/**
 * The internal-subscriber example (examples/conversion-notifier): a `@nestjs/microservices`
 * Kafka-transport service reading tracker.conversions.v1 with the contract of libs/contracts.
 */
import { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@tracker/contracts';
import { closeSeedProducer, eventually, seedAccount, seedProducer } from '@tracker/testing';
import { NotificationSink } from '../examples/conversion-notifier/src/notification-sink';
import {
  NotifierModule,
  notifierTransport,
} from '../examples/conversion-notifier/src/notifier.module';
import { publishConversion } from '../apps/dispatcher/test/dispatcher-test-kit';

describe('example subscriber on the Nest Kafka transport (real broker)', () => {
  let notifier: INestMicroservice;

  afterAll(async () => {
    await notifier?.close();
    await closeSeedProducer();
  });

  it('announces each deposit once, skips other stages and messages that are not the contract', async () => {
    await seedProducer(); // creates the topics before the subscriber joins
    notifier = await NestFactory.createMicroservice<MicroserviceOptions>(NotifierModule, {
      ...notifierTransport({
        brokers: process.env.KAFKA_BROKERS!.split(','),
        groupId: `test.notifier.${randomBytes(4).toString('hex')}`,
      }),
      logger: ['error'],
    });
    await notifier.listen();
    const sink = notifier.get(NotificationSink);
    const { account } = await seedAccount('Notified');
    const integrationId = randomUUID();

    // The group starts at the end of the topic once it has joined: wait for a marker.
    await eventually(
      async () => {
        const marker = await publishConversion(account.id, integrationId);
        await eventually(() => expect(sink.sent.map((s) => s.eventId)).toContain(marker.id), {
          timeoutMs: 3000,
        });
      },
      { timeoutMs: 60_000 },
    );
    const before = sink.sent.length;
    const clickId = 'NotifyClick01';
    const first = await publishConversion(account.id, integrationId, { clickId });
    const second = await publishConversion(account.id, integrationId, {
      clickId,
      stage: 'redeposit',
      ordinal: 2,
      amount: '100.00',
    });
    await publishConversion(account.id, integrationId, {
      clickId,
      stage: 'registration',
      kind: 'registration',
      event: 'registration',
      ordinal: null,
      amount: null,
      currency: null,
    });
    // A redelivery of the same event, and a message that is not a valid event.
    await publishConversion(account.id, integrationId, {}, second);
    const producer = await seedProducer();
    await producer.send(Topics.Conversions, [
      {
        key: clickId,
        value: '{"not":"an event"}',
        headers: { type: 'ConversionRecorded', version: '1' },
      },
    ]);
    const last = await publishConversion(account.id, integrationId, { clickId: 'NotifyClick02' });

    await eventually(() => expect(sink.sent.map((s) => s.eventId)).toContain(last.id), {
      timeoutMs: 20_000,
    });
    expect(sink.sent.slice(before)).toEqual([
      { eventId: first.id, text: `deposit #1 of click ${clickId}: 50.00 USD` },
      { eventId: second.id, text: `deposit #2 of click ${clickId}: 100.00 USD` },
      { eventId: last.id, text: 'deposit #1 of click NotifyClick02: 50.00 USD' },
    ]);
  });
});
