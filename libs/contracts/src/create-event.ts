import type { EventEnvelope } from './envelope';
import { EVENT_DEFINITIONS_BY_TYPE, type EventMap, type EventType } from './events';
import { uuidV7 } from './uuid';

export interface EventMeta {
  accountId: string;
  integrationId?: string | null;
  correlationId?: string | null;
  causationId?: string | null;
  /** Defaults to a fresh UUID v7; pass `deterministicEventId(...)` for exactly-once output. */
  id?: string;
  /** Defaults to now. */
  occurredAt?: string | Date;
}

/** The metadata `createEvent` needs for an event type (integration-scoped ones need its id). */
export type EventMetaFor<TType extends EventType> = EventMap[TType] extends {
  integrationId: string;
}
  ? EventMeta & { integrationId: string }
  : EventMeta;

/**
 * Builds an event of the current version of `type`. It does not validate: producers run
 * `assertValidEvent` (or their Kafka library does) before publishing.
 */
export function createEvent<TType extends EventType>(
  type: TType,
  payload: EventMap[TType]['payload'],
  meta: EventMetaFor<TType>,
): EventMap[TType] {
  const occurredAt =
    meta.occurredAt instanceof Date ? meta.occurredAt.toISOString() : meta.occurredAt;
  const event: EventEnvelope = {
    id: meta.id ?? uuidV7(),
    type,
    version: EVENT_DEFINITIONS_BY_TYPE[type].version,
    occurredAt: occurredAt ?? new Date().toISOString(),
    accountId: meta.accountId,
    // Optional envelope fields are left out rather than set to undefined, so the
    // object equals its own JSON round trip.
    ...(meta.integrationId !== undefined && { integrationId: meta.integrationId }),
    ...(meta.correlationId !== undefined && { correlationId: meta.correlationId }),
    ...(meta.causationId !== undefined && { causationId: meta.causationId }),
    payload,
  };
  return event as EventMap[TType];
}
