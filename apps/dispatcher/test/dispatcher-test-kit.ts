import { randomUUID } from 'node:crypto';
import {
  ConversionRecordedEvent,
  ConversionRecordedPayload,
  conversionRecordedId,
  createEvent,
  DestinationChangedPayload,
  Topics,
} from '@tracker/contracts';
import { seedProducer } from '@tracker/testing';

/** Publishes a destination snapshot the way the registry does (the dispatcher only reads the topic). */
export async function publishDestination(
  accountId: string,
  overrides: Partial<DestinationChangedPayload>,
): Promise<DestinationChangedPayload> {
  const now = new Date(Date.now() - 1000).toISOString();
  const destination: DestinationChangedPayload = {
    id: randomUUID(),
    accountId,
    name: 'Receiver',
    integrationId: null,
    stages: ['first_deposit'],
    method: 'GET',
    url: 'http://127.0.0.1:9/unused',
    headers: {},
    body: null,
    enabled: true,
    createdAt: now,
    updatedAt: now,
    activeSince: now,
    ...overrides,
  };
  const producer = await seedProducer();
  const event = createEvent('DestinationChanged', destination, {
    accountId,
    integrationId: destination.integrationId,
  });
  await producer.publish(Topics.Destinations, event, destination.id);
  return destination;
}

export async function deleteDestination(id: string): Promise<void> {
  const producer = await seedProducer();
  await producer.publishTombstone(Topics.Destinations, id);
}

let clickCounter = 0;
/** A fresh click id of the contract's shape. */
export const newClickId = () =>
  `Clk${Date.now().toString(36)}${(clickCounter++).toString(36)}`.slice(0, 16).padEnd(10, '0');

/** A ConversionRecorded as attribution builds it (a fresh postback and click unless given). */
export function conversionEvent(
  accountId: string,
  integrationId: string,
  payload: Partial<ConversionRecordedPayload> = {},
): ConversionRecordedEvent {
  const postbackId = randomUUID();
  const clickId = payload.clickId ?? newClickId();
  return createEvent(
    'ConversionRecorded',
    {
      postbackId,
      clickId,
      event: 'resale',
      kind: 'deposit',
      stage: 'first_deposit',
      ordinal: 1,
      amount: '50.00',
      currency: 'USD',
      tid: null,
      fields: {},
      campaign: 'winter',
      source: 'tg',
      subscriberId: null,
      clickParams: {},
      clickedAt: new Date(Date.now() - 60_000).toISOString(),
      ...payload,
    },
    {
      id: conversionRecordedId(postbackId),
      accountId,
      integrationId,
      correlationId: clickId,
      causationId: postbackId,
    },
  );
}

/** Publishes a ConversionRecorded as attribution does; `event` re-publishes an existing one. */
export async function publishConversion(
  accountId: string,
  integrationId: string,
  payload: Partial<ConversionRecordedPayload> = {},
  event?: ConversionRecordedEvent,
): Promise<ConversionRecordedEvent> {
  const producer = await seedProducer();
  const conversion = event ?? conversionEvent(accountId, integrationId, payload);
  await producer.publish(Topics.Conversions, conversion, conversion.payload.clickId);
  return conversion;
}
