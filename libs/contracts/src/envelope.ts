/**
 * The one envelope every message value uses (SPEC section 3), serialized as UTF-8 JSON.
 * Kafka headers `type` and `version` repeat the envelope's (see `eventHeaders`).
 */
export interface EventEnvelope<
  TType extends string = string,
  TPayload = unknown,
  TVersion extends number = number,
> {
  /** UUID (v7 unless derived): the event's identity and the idempotency key downstream. */
  id: string;
  type: TType;
  version: TVersion;
  /** ISO 8601 UTC time of the fact, e.g. "2026-11-24T05:00:00.000Z". */
  occurredAt: string;
  accountId: string;
  /** The integration the event belongs to, where applicable. */
  integrationId?: string | null;
  /** Ties related events together, e.g. the click id. */
  correlationId?: string | null;
  /** Id of the event that caused this one, if any. */
  causationId?: string | null;
  payload: TPayload;
}

/** An event that always belongs to one integration: its envelope names it. */
export type IntegrationScoped<TEvent extends EventEnvelope> = TEvent & { integrationId: string };

/** Kafka header names that repeat the envelope's routing fields (binding). */
export const EventHeaders = { Type: 'type', Version: 'version' } as const;

/** The Kafka headers of an event, so consumers can route without parsing the value. */
export function eventHeaders(event: Pick<EventEnvelope, 'type' | 'version'>): {
  type: string;
  version: string;
} {
  return { [EventHeaders.Type]: event.type, [EventHeaders.Version]: String(event.version) };
}
