import type { EventEnvelope } from '../envelope';
import { isoDateTime, nonEmptyString, objectSchema, uuid, withDescription } from '../json-schema';
import { Topics } from '../topics';
import { deterministicEventId } from '../uuid';
import type { EventDefinition } from './event-definition';
import { DESTINATION_STAGES } from './destination-changed';

export const DELIVERY_SCHEDULED = 'DeliveryScheduled';

export interface DeliveryScheduledPayload {
  /** Derived from (conversion, destination): one delivery per pair, ever. */
  deliveryId: string;
  destinationId: string;
  conversionId: string;
  clickId: string;
  stage: string;
  createdAt: string;
}

/**
 * Published before the delivery's first attempt, so the deliveries log can be rebuilt from
 * `tracker.deliveries.v1` alone (SPEC section 3).
 */
export type DeliveryScheduledEvent = EventEnvelope<
  typeof DELIVERY_SCHEDULED,
  DeliveryScheduledPayload,
  1
>;

/**
 * The id of the one delivery of a conversion to a destination (SPEC section 4: exactly one
 * delivery per matching conversion); also its `Idempotency-Key`. A redelivered or replayed
 * conversion re-derives it, so it can never be scheduled twice.
 */
export function deliveryIdOf(conversionId: string, destinationId: string): string {
  return deterministicEventId('Delivery', conversionId, destinationId);
}

const payloadSchema = objectSchema({
  deliveryId: withDescription(uuid, 'Delivery id, also its Idempotency-Key.'),
  destinationId: uuid,
  conversionId: withDescription(uuid, 'Id of the ConversionRecorded event delivered.'),
  clickId: nonEmptyString,
  stage: { type: 'string', enum: [...DESTINATION_STAGES] },
  createdAt: isoDateTime,
});

export const DeliveryScheduledDefinition: EventDefinition<DeliveryScheduledEvent> = {
  type: DELIVERY_SCHEDULED,
  version: 1,
  topic: Topics.Deliveries,
  description:
    'A conversion matched a destination: one delivery, published before its first attempt.',
  integrationScoped: false,
  payloadSchema,
  example: {
    id: '6f1d2c3b-4a59-5e6f-8a7b-9c0d1e2f3a4b',
    type: DELIVERY_SCHEDULED,
    version: 1,
    occurredAt: '2026-11-24T05:00:00.060Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    correlationId: 'Xk3p9QmZ2rTa',
    causationId: 'b3b702f9-5e93-5369-8ddc-022f350b395e',
    payload: {
      deliveryId: '2e5a7c9b-1d3f-5b6d-8f0a-2c4e6a8b0d1f',
      destinationId: 'd2a4c6e8-0b1d-4f3a-8c5e-7a9b1c3d5e7f',
      conversionId: 'b3b702f9-5e93-5369-8ddc-022f350b395e',
      clickId: 'Xk3p9QmZ2rTa',
      stage: 'first_deposit',
      createdAt: '2026-11-24T05:00:00.060Z',
    },
  },
};
