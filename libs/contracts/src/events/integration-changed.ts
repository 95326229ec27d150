import type { EventEnvelope, IntegrationScoped } from '../envelope';
import {
  eventKind,
  eventName,
  isoDateTime,
  nonEmptyString,
  nullableCurrency,
  nullableString,
  objectSchema,
  stringMap,
  uuid,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import type { EventKind } from '../vocabulary';
import type { EventDefinition } from './event-definition';

export const INTEGRATION_CHANGED = 'IntegrationChanged';

export interface IntegrationEventSnapshot {
  /** The `tracker.event` value, 1–64 of [A-Za-z0-9_.-], case-sensitive. */
  name: string;
  label: string;
  kind: EventKind;
  /** Fixed parameters appended, in order, to this event's postback URL. */
  params: Record<string, string>;
}

export interface RegistrationLinkSnapshot {
  id: string;
  name: string;
  baseUrl: string;
  /** `baseUrl` with the click id parameter set to the literal `{{tracker.clickid}}` macro. */
  finalUrl: string;
}

/**
 * The whole integration as the registry stores it. Derived, per-deployment data
 * (`postbackUrl`, `receivedCount`, `lastReceivedAt`) is not part of the snapshot.
 */
export interface IntegrationChangedPayload {
  /** Random UUID v4; also the secret in the postback URLs. */
  id: string;
  accountId: string;
  name: string;
  /** Template id it was created from (`pocket-option-revshare`, …, or `custom`). */
  template: string;
  clickIdParam: string;
  amountParam: string | null;
  defaultCurrency: string | null;
  /** Custom field ← postback parameter, e.g. `{ "trader_id": "trader_id" }`. */
  fieldParams: Record<string, string>;
  /** A disabled integration's postback URL answers 404. */
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** Accepted postbacks per second for this integration; absent or null means unlimited. */
  rateLimitPerSecond?: number | null;
  /** The parameter carrying the partner's status (SPEC section 5); absent = `status`. */
  statusParam?: string;
  /** Statuses (case-insensitive) that make a postback a reversal; absent = SPEC's default list. */
  reversalStatuses?: string[];
  /** The partner's transaction-id parameter tried after `tracker.tid`; null/absent = none. */
  tidParam?: string | null;
  events: IntegrationEventSnapshot[];
  registrationLinks: RegistrationLinkSnapshot[];
}

/**
 * Published on the compacted integrations topic, keyed by the integration id. A deleted
 * integration is a tombstone: a message with that key and a null value, which has no schema
 * and never passes through `validateEvent`; consumers drop the integration from their caches.
 */
export type IntegrationChangedEvent = IntegrationScoped<
  EventEnvelope<typeof INTEGRATION_CHANGED, IntegrationChangedPayload, 1>
>;

const eventSchema = objectSchema({
  name: eventName,
  label: { type: 'string' },
  kind: eventKind,
  params: withDescription(stringMap, 'Fixed parameters appended to the postback URL, in order.'),
});

const registrationLinkSchema = objectSchema({
  id: nonEmptyString,
  name: { type: 'string' },
  baseUrl: withDescription(nonEmptyString, 'The partner link as pasted.'),
  finalUrl: withDescription(nonEmptyString, 'The partner link carrying the click id macro.'),
});

const payloadSchema = objectSchema(
  {
    id: withDescription(uuid, 'Integration id (UUID v4), the secret in its postback URLs.'),
    accountId: nonEmptyString,
    name: { type: 'string' },
    template: nonEmptyString,
    clickIdParam: nonEmptyString,
    amountParam: nullableString,
    defaultCurrency: nullableCurrency,
    fieldParams: withDescription(stringMap, 'Custom field name to postback parameter name.'),
    enabled: { type: 'boolean' },
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    rateLimitPerSecond: { type: ['number', 'null'], exclusiveMinimum: 0 },
    statusParam: withDescription(nonEmptyString, 'Parameter carrying the partner status.'),
    reversalStatuses: withDescription(
      { type: 'array', items: nonEmptyString },
      'Statuses (case-insensitive) that make a postback a reversal.',
    ),
    tidParam: withDescription(nullableString, 'Transaction-id parameter after tracker.tid.'),
    events: { type: 'array', items: eventSchema },
    registrationLinks: { type: 'array', items: registrationLinkSchema },
  },
  ['rateLimitPerSecond', 'statusParam', 'reversalStatuses', 'tidParam'],
);

export const IntegrationChangedDefinition: EventDefinition<IntegrationChangedEvent> = {
  type: INTEGRATION_CHANGED,
  version: 1,
  topic: Topics.Integrations,
  description:
    'Full snapshot of an integration after any change (compacted, keyed by id; a null value is a deletion).',
  integrationScoped: true,
  payloadSchema,
  example: {
    id: '0193b6d0-44e1-7a90-b2c3-d4e5f6a7b8c9',
    type: INTEGRATION_CHANGED,
    version: 1,
    occurredAt: '2026-11-24T04:30:00.000Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    payload: {
      id: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
      accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
      name: 'PocketOption RevShare',
      template: 'pocket-option-revshare',
      clickIdParam: 'click_id',
      amountParam: 'sumdep',
      defaultCurrency: 'USD',
      fieldParams: { trader_id: 'trader_id' },
      enabled: true,
      createdAt: '2026-11-20T10:00:00.000Z',
      updatedAt: '2026-11-24T04:30:00.000Z',
      rateLimitPerSecond: null,
      statusParam: 'status',
      reversalStatuses: [
        'rejected',
        'declined',
        'chargeback',
        'refund',
        'refunded',
        'reversed',
        'cancelled',
        'canceled',
        'fraud',
      ],
      tidParam: null,
      events: [
        { name: 'registration', label: 'Registration', kind: 'registration', params: {} },
        { name: 'conf', label: 'Email confirmation', kind: 'email_confirmation', params: {} },
        { name: 'resale', label: 'Deposit', kind: 'deposit', params: { currency: 'usd' } },
      ],
      registrationLinks: [
        {
          id: '2c9a4e71-8b3f-4d6a-a1e5-7f0b9c2d4e81',
          name: 'Main',
          baseUrl:
            'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123',
          finalUrl:
            'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123&click_id={{tracker.clickid}}',
        },
      ],
    },
  },
};
