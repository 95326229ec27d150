import { createEvent } from './create-event';
import { eventHeaders } from './envelope';
import {
  ClickRegisteredDefinition,
  EVENT_DEFINITIONS,
  EventTypes,
  IntegrationChangedDefinition,
  partitionKeyOf,
  PostbackProcessedDefinition,
  PostbackReceivedDefinition,
  topicOf,
} from './events';
import { Topics } from './topics';
import { deterministicEventId, uuidV7Timestamp } from './uuid';
import { validateEvent } from './validation';

const postback = PostbackReceivedDefinition.example;

describe('createEvent', () => {
  it('fills id (uuid v7), version and occurredAt, and the result is valid', () => {
    const before = Date.now();
    const event = createEvent(EventTypes.PostbackReceived, postback.payload, {
      accountId: postback.accountId,
      integrationId: postback.integrationId,
    });
    expect(event.type).toBe('PostbackReceived');
    expect(event.version).toBe(1);
    expect(uuidV7Timestamp(event.id)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(event.occurredAt).toBe(new Date(event.occurredAt).toISOString());
    expect(validateEvent(event)).toEqual({ ok: true, event });
  });

  it('keeps the given id, time and causal metadata', () => {
    const id = deterministicEventId('test', 'x');
    const event = createEvent(
      EventTypes.PostbackProcessed,
      PostbackProcessedDefinition.example.payload,
      {
        id,
        accountId: 'acc',
        integrationId: 'int',
        correlationId: 'Xk3p9QmZ2rTa',
        causationId: postback.id,
        occurredAt: new Date('2026-11-24T05:00:00Z'),
      },
    );
    expect(event).toEqual({
      id,
      type: 'PostbackProcessed',
      version: 1,
      occurredAt: '2026-11-24T05:00:00.000Z',
      accountId: 'acc',
      integrationId: 'int',
      correlationId: 'Xk3p9QmZ2rTa',
      causationId: postback.id,
      payload: PostbackProcessedDefinition.example.payload,
    });
  });

  it('requires the integration id, at compile time, for events that belong to one', () => {
    const build = () =>
      // @ts-expect-error a PostbackReceived without integrationId must not type-check
      createEvent(EventTypes.PostbackReceived, postback.payload, { accountId: 'acc' });
    expect(validateEvent(build())).toEqual({ ok: false, error: 'integrationId is required' });
  });

  it('leaves unset optional fields out, so the event equals its JSON round trip', () => {
    const event = createEvent(
      EventTypes.ClickRegistered,
      ClickRegisteredDefinition.example.payload,
      {
        accountId: 'acc',
        occurredAt: '2026-11-24T05:00:00.000Z',
      },
    );
    expect(Object.keys(event)).toEqual([
      'id',
      'type',
      'version',
      'occurredAt',
      'accountId',
      'payload',
    ]);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });
});

describe('eventHeaders', () => {
  it('repeats type and version as Kafka header strings', () => {
    expect(eventHeaders(postback)).toEqual({ type: 'PostbackReceived', version: '1' });
  });
});

describe('topicOf / partitionKeyOf', () => {
  it('routes each type to its topic', () => {
    expect(Object.fromEntries(EVENT_DEFINITIONS.map((d) => [d.type, topicOf(d.type)]))).toEqual({
      PostbackReceived: Topics.Postbacks,
      ClickRegistered: Topics.Clicks,
      IntegrationChanged: Topics.Integrations,
      AccountChanged: Topics.Accounts,
      PostbackProcessed: Topics.PostbackOutcomes,
      ConversionRecorded: Topics.Conversions,
      DestinationChanged: Topics.Destinations,
      DeliveryScheduled: Topics.Deliveries,
      DeliveryAttempted: Topics.Deliveries,
    });
  });

  it('keys by click id where known, else integration id; snapshots by their id', () => {
    const keys = Object.fromEntries(
      EVENT_DEFINITIONS.map((d) => [d.type, partitionKeyOf(d.example)]),
    );
    expect(keys).toEqual({
      PostbackReceived: 'Xk3p9QmZ2rTa',
      ClickRegistered: 'Xk3p9QmZ2rTa',
      IntegrationChanged: IntegrationChangedDefinition.example.payload.id,
      AccountChanged: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
      PostbackProcessed: 'Xk3p9QmZ2rTa',
      ConversionRecorded: 'Xk3p9QmZ2rTa',
      DestinationChanged: 'd2a4c6e8-0b1d-4f3a-8c5e-7a9b1c3d5e7f',
      DeliveryScheduled: 'Xk3p9QmZ2rTa',
      DeliveryAttempted: 'Xk3p9QmZ2rTa',
    });
    const noClick = { ...postback, payload: { ...postback.payload, clickId: null } };
    expect(partitionKeyOf(noClick)).toBe(postback.integrationId);
  });
});
