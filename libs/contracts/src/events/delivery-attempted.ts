import type { EventEnvelope } from '../envelope';
import {
  isoDateTime,
  nullableIsoDateTime,
  nullableString,
  objectSchema,
  uuid,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import type { EventDefinition } from './event-definition';

export const DELIVERY_ATTEMPTED = 'DeliveryAttempted';

export const DELIVERY_OUTCOMES = ['delivered', 'retrying', 'failed'] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface DeliveryAttemptRequest {
  method: string;
  /** The rendered URL with its secrets masked (`•••` + last 4 characters). */
  url: string;
  /** Bytes of the request body sent (0 for GET). */
  bodySize: number;
}

export interface DeliveryAttemptedPayload {
  deliveryId: string;
  destinationId: string;
  conversionId: string;
  /** 1 for the first attempt; retries (and manual retries) count on. */
  attempt: number;
  request: DeliveryAttemptRequest;
  /** The HTTP status answered, or null when there was no answer (timeout, refused, …). */
  responseStatus: number | null;
  /** The first 1 KiB of the answer's body, as text. */
  responseBody: string | null;
  /** Why it did not succeed (e.g. `timeout after 10000 ms`, `private address`), else null. */
  error: string | null;
  durationMs: number;
  outcome: DeliveryOutcome;
  /** When the next attempt is due (`retrying` only), else null. */
  nextAttemptAt: string | null;
}

/** One attempt to send a delivery and what came of it (SPEC section 3). */
export type DeliveryAttemptedEvent = EventEnvelope<
  typeof DELIVERY_ATTEMPTED,
  DeliveryAttemptedPayload,
  1
>;

const requestSchema = objectSchema({
  method: { type: 'string' },
  url: withDescription({ type: 'string' }, 'Rendered URL, secrets masked.'),
  bodySize: { type: 'integer', minimum: 0 },
});

const payloadSchema = objectSchema({
  deliveryId: uuid,
  destinationId: uuid,
  conversionId: uuid,
  attempt: { type: 'integer', minimum: 1 },
  request: requestSchema,
  responseStatus: { type: ['integer', 'null'], minimum: 100, maximum: 999 },
  responseBody: withDescription(
    { type: ['string', 'null'], maxLength: 1024 },
    'First 1 KiB of the response body.',
  ),
  error: nullableString,
  durationMs: { type: 'integer', minimum: 0 },
  outcome: { type: 'string', enum: [...DELIVERY_OUTCOMES] },
  nextAttemptAt: nullableIsoDateTime,
});

const payloadRules = [
  {
    if: { properties: { outcome: { const: 'retrying' } } },
    then: { properties: { nextAttemptAt: isoDateTime } },
    else: { properties: { nextAttemptAt: { type: 'null' } } },
  },
];

export const DeliveryAttemptedDefinition: EventDefinition<DeliveryAttemptedEvent> = {
  type: DELIVERY_ATTEMPTED,
  version: 1,
  topic: Topics.Deliveries,
  description: 'One attempt to send an outgoing postback, with its answer and outcome.',
  integrationScoped: false,
  payloadSchema,
  payloadRules,
  example: {
    id: '0193b6f2-7e55-7a10-b1c2-d3e4f5a6b7c8',
    type: DELIVERY_ATTEMPTED,
    version: 1,
    occurredAt: '2026-11-24T05:00:00.180Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    correlationId: 'Xk3p9QmZ2rTa',
    causationId: '6f1d2c3b-4a59-5e6f-8a7b-9c0d1e2f3a4b',
    payload: {
      deliveryId: '2e5a7c9b-1d3f-5b6d-8f0a-2c4e6a8b0d1f',
      destinationId: 'd2a4c6e8-0b1d-4f3a-8c5e-7a9b1c3d5e7f',
      conversionId: 'b3b702f9-5e93-5369-8ddc-022f350b395e',
      attempt: 1,
      request: {
        method: 'GET',
        url: 'https://tracker.example.com/postback?subid=Xk3p9QmZ2rTa&status=first_deposit&payout=50.00',
        bodySize: 0,
      },
      responseStatus: 200,
      responseBody: 'ok',
      error: null,
      durationMs: 118,
      outcome: 'delivered',
      nextAttemptAt: null,
    },
  },
};
