import type { TopicName } from '../topics';
import { AccountChangedDefinition, type AccountChangedEvent } from './account-changed';
import { ClickRegisteredDefinition, type ClickRegisteredEvent } from './click-registered';
import { ConversionRecordedDefinition, type ConversionRecordedEvent } from './conversion-recorded';
import { DeliveryAttemptedDefinition, type DeliveryAttemptedEvent } from './delivery-attempted';
import { DeliveryScheduledDefinition, type DeliveryScheduledEvent } from './delivery-scheduled';
import { DestinationChangedDefinition, type DestinationChangedEvent } from './destination-changed';
import type { EventDefinition } from './event-definition';
import { IntegrationChangedDefinition, type IntegrationChangedEvent } from './integration-changed';
import { PostbackProcessedDefinition, type PostbackProcessedEvent } from './postback-processed';
import { PostbackReceivedDefinition, type PostbackReceivedEvent } from './postback-received';

export * from './account-changed';
export * from './click-registered';
export * from './conversion-recorded';
export * from './delivery-attempted';
export * from './delivery-scheduled';
export * from './destination-changed';
export * from './event-definition';
export * from './integration-changed';
export * from './postback-processed';
export * from './postback-received';

/** Every event type at its current version, by type name. */
export interface EventMap {
  PostbackReceived: PostbackReceivedEvent;
  ClickRegistered: ClickRegisteredEvent;
  IntegrationChanged: IntegrationChangedEvent;
  AccountChanged: AccountChangedEvent;
  PostbackProcessed: PostbackProcessedEvent;
  ConversionRecorded: ConversionRecordedEvent;
  DestinationChanged: DestinationChangedEvent;
  DeliveryScheduled: DeliveryScheduledEvent;
  DeliveryAttempted: DeliveryAttemptedEvent;
}

export type EventType = keyof EventMap;

/** Any valid event; switch on `type` to narrow it. */
export type AnyEvent = EventMap[EventType];

export type EventOf<TType extends EventType> = EventMap[TType];
export type PayloadOf<TType extends EventType> = EventMap[TType]['payload'];

/** The event type names, e.g. `EventTypes.PostbackReceived === 'PostbackReceived'`. */
export const EventTypes: { readonly [TType in EventType]: TType } = {
  PostbackReceived: 'PostbackReceived',
  ClickRegistered: 'ClickRegistered',
  IntegrationChanged: 'IntegrationChanged',
  AccountChanged: 'AccountChanged',
  PostbackProcessed: 'PostbackProcessed',
  ConversionRecorded: 'ConversionRecorded',
  DestinationChanged: 'DestinationChanged',
  DeliveryScheduled: 'DeliveryScheduled',
  DeliveryAttempted: 'DeliveryAttempted',
};

export const EVENT_DEFINITIONS_BY_TYPE: {
  readonly [TType in EventType]: EventDefinition<EventMap[TType]>;
} = {
  PostbackReceived: PostbackReceivedDefinition,
  ClickRegistered: ClickRegisteredDefinition,
  IntegrationChanged: IntegrationChangedDefinition,
  AccountChanged: AccountChangedDefinition,
  PostbackProcessed: PostbackProcessedDefinition,
  ConversionRecorded: ConversionRecordedDefinition,
  DestinationChanged: DestinationChangedDefinition,
  DeliveryScheduled: DeliveryScheduledDefinition,
  DeliveryAttempted: DeliveryAttemptedDefinition,
};

/**
 * Every supported (type, version). Only current versions today; when a v2 of a type appears,
 * its v1 definition stays here so old messages in the topics still validate on replay.
 */
export const EVENT_DEFINITIONS: readonly EventDefinition<AnyEvent>[] =
  Object.values(EVENT_DEFINITIONS_BY_TYPE);

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && Object.hasOwn(EVENT_DEFINITIONS_BY_TYPE, value);
}

/** The topic an event type is published on. */
export function topicOf(type: EventType): TopicName {
  return EVENT_DEFINITIONS_BY_TYPE[type].topic;
}

/**
 * The Kafka message key (SPEC section 2): the click id where known, else the integration id,
 * so one click's events stay in order; snapshots are keyed by their own id (compaction).
 */
export function partitionKeyOf(event: AnyEvent): string {
  switch (event.type) {
    case 'PostbackReceived':
      return event.payload.clickId ?? event.integrationId;
    case 'PostbackProcessed':
      // Same key as the postback it judges, so successive outcomes of it stay in order.
      return event.payload.clickId ?? event.correlationId ?? event.integrationId;
    case 'ClickRegistered':
    case 'ConversionRecorded':
      return event.payload.clickId;
    case 'IntegrationChanged':
    case 'AccountChanged':
    case 'DestinationChanged':
      return event.payload.id;
    case 'DeliveryScheduled':
      return event.payload.clickId;
    case 'DeliveryAttempted':
      // The click id travels as the correlation id: one click's deliveries stay in order.
      return event.correlationId ?? event.payload.deliveryId;
  }
}
