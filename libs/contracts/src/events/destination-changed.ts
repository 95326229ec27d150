import type { EventEnvelope } from '../envelope';
import {
  isoDateTime,
  nonEmptyString,
  nullableString,
  objectSchema,
  stringMap,
  uuid,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import { CONVERSION_STAGES } from '../vocabulary';
import type { EventDefinition } from './event-definition';

export const DESTINATION_CHANGED = 'DestinationChanged';

/**
 * The stages a destination may ask for (SPEC section 4): every conversion stage, and
 * `reversal` (a conversion that cancels an earlier one) even where the stage list predates it.
 */
export const DESTINATION_STAGES: readonly string[] = [
  ...new Set<string>([...CONVERSION_STAGES, 'reversal']),
];

export const DESTINATION_METHODS = ['GET', 'POST'] as const;
export type DestinationMethod = (typeof DESTINATION_METHODS)[number];

/**
 * One outgoing-postback destination as the registry stores it. `url`, header values and `body`
 * are templates with macros (SPEC section 4) and carry the secrets in full: the dispatcher needs
 * them to send, so this topic is as confidential as the registry's tables. Every API answer,
 * log line and delivery event shows them masked instead.
 */
export interface DestinationChangedPayload {
  id: string;
  accountId: string;
  name: string;
  /** Null: every integration of the account. */
  integrationId: string | null;
  /** Which conversions it receives, e.g. `["registration", "first_deposit"]`; never empty. */
  stages: string[];
  method: DestinationMethod;
  url: string;
  headers: Record<string, string>;
  /** POST only (null for GET): the request body template, as text. */
  body: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  /**
   * When it was created or last enabled: it receives the conversions that occur after this,
   * while it is enabled (SPEC section 4).
   */
  activeSince: string;
}

/**
 * Published on the compacted destinations topic, keyed by the destination id. A deleted
 * destination is a tombstone (null value, no schema); the dispatcher stops scheduling for it.
 */
export type DestinationChangedEvent = EventEnvelope<
  typeof DESTINATION_CHANGED,
  DestinationChangedPayload,
  1
>;

const payloadSchema = objectSchema({
  id: withDescription(uuid, 'Destination id.'),
  accountId: nonEmptyString,
  name: { type: 'string' },
  integrationId: withDescription(
    { type: ['string', 'null'], format: 'uuid' },
    'The integration whose conversions it receives; null = every integration of the account.',
  ),
  stages: {
    type: 'array',
    minItems: 1,
    items: { type: 'string', enum: [...DESTINATION_STAGES] },
    description: 'Which conversions it receives.',
  },
  method: { type: 'string', enum: [...DESTINATION_METHODS] },
  url: withDescription(nonEmptyString, 'URL template with macros (secrets in full).'),
  headers: withDescription(stringMap, 'Header name to value template.'),
  body: withDescription(nullableString, 'Body template (POST only).'),
  enabled: { type: 'boolean' },
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  activeSince: withDescription(
    isoDateTime,
    'When it was created or last enabled: later conversions reach it.',
  ),
});

export const DestinationChangedDefinition: EventDefinition<DestinationChangedEvent> = {
  type: DESTINATION_CHANGED,
  version: 1,
  topic: Topics.Destinations,
  description:
    'Full snapshot of an outgoing-postback destination (compacted, keyed by id; a null value is a deletion).',
  integrationScoped: false,
  payloadSchema,
  example: {
    id: '0193b6d4-1a2b-7c3d-8e4f-5a6b7c8d9e0f',
    type: DESTINATION_CHANGED,
    version: 1,
    occurredAt: '2026-11-24T04:35:00.000Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    payload: {
      id: 'd2a4c6e8-0b1d-4f3a-8c5e-7a9b1c3d5e7f',
      accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
      name: 'Keitaro',
      integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
      stages: ['registration', 'first_deposit'],
      method: 'GET',
      url: 'https://tracker.example.com/postback?subid={clickid}&status={stage}&payout={amount}',
      headers: {},
      body: null,
      enabled: true,
      createdAt: '2026-11-24T04:35:00.000Z',
      updatedAt: '2026-11-24T04:35:00.000Z',
      activeSince: '2026-11-24T04:35:00.000Z',
    },
  },
};
