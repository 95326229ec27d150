import type { EventEnvelope, IntegrationScoped } from '../envelope';
import {
  clickId,
  eventKind,
  eventName,
  isoDateTime,
  nullableAmount,
  nullableCurrency,
  nullableString,
  objectSchema,
  stringMap,
  uuid,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import { deterministicEventId } from '../uuid';
import {
  CONVERSION_STAGES,
  DEPOSIT_KINDS,
  EVENT_KINDS,
  type ConversionStage,
  type EventKind,
} from '../vocabulary';
import type { EventDefinition } from './event-definition';

export const CONVERSION_RECORDED = 'ConversionRecorded';

export interface ConversionRecordedPayload {
  /** Id of the PostbackReceived event that was attributed. */
  postbackId: string;
  clickId: string;
  /** The event name as sent in `tracker.event`. */
  event: string;
  kind: EventKind;
  stage: ConversionStage;
  /** Deposit number of the click: 1 = FD, 2 = first RD, …; null for non-deposits. */
  ordinal: number | null;
  /** Decimal string such as "50.00" or "-12.50", never a float; null when not sent. */
  amount: string | null;
  /** ISO 4217, upper case, or null. */
  currency: string | null;
  /** The partner's transaction id (`tracker.tid`), or null. */
  tid: string | null;
  /** The click's custom fields after this postback. */
  fields: Record<string, string>;
  campaign: string | null;
  source: string | null;
  subscriberId: string | null;
  /**
   * The click's stored parameters (`params` of its ClickRegistered), e.g. `fbclid`, for
   * outgoing postbacks' `{click.<param>}`. Absent on conversions recorded before it existed.
   */
  clickParams?: Record<string, string>;
  clickedAt: string;
}

/**
 * Exactly one per attributed postback, ever: its id is derived from the postback
 * (`deterministicEventId`), so subscribers deduplicate redeliveries and replays by id.
 */
export type ConversionRecordedEvent = IntegrationScoped<
  EventEnvelope<typeof CONVERSION_RECORDED, ConversionRecordedPayload, 1>
>;

/** The id of the one ConversionRecorded a postback can ever produce; re-derivable after a crash. */
export function conversionRecordedId(postbackId: string): string {
  return deterministicEventId(CONVERSION_RECORDED, postbackId);
}

const NON_DEPOSIT_KINDS = EVENT_KINDS.filter((kind) => !DEPOSIT_KINDS.includes(kind));

// Cross-field rules subscribers rely on: a deposit kind lands on FD (ordinal 1) or an RD
// (ordinal ≥ 2); every other kind lands on its own stage with no ordinal.
const payloadRules = [
  {
    if: { properties: { kind: { enum: [...DEPOSIT_KINDS] } } },
    then: { properties: { stage: { enum: ['first_deposit', 'redeposit'] } } },
  },
  ...NON_DEPOSIT_KINDS.map((kind) => ({
    if: { properties: { kind: { const: kind } } },
    then: { properties: { stage: { const: kind } } },
  })),
  {
    if: { properties: { stage: { const: 'first_deposit' } } },
    then: { properties: { ordinal: { const: 1 } } },
  },
  {
    if: { properties: { stage: { const: 'redeposit' } } },
    then: { properties: { ordinal: { type: 'integer', minimum: 2 } } },
  },
  {
    if: { properties: { stage: { enum: NON_DEPOSIT_KINDS } } },
    then: { properties: { ordinal: { type: 'null' } } },
  },
];

const payloadSchema = objectSchema(
  {
    postbackId: withDescription(uuid, 'Id of the attributed PostbackReceived event.'),
    clickId,
    event: withDescription(eventName, 'The event name as sent (tracker.event).'),
    kind: eventKind,
    stage: { type: 'string', enum: [...CONVERSION_STAGES] },
    ordinal: withDescription(
      { type: ['integer', 'null'], minimum: 1 },
      'Deposit number of the click (1 = FD, 2 = first RD, …); null for non-deposits.',
    ),
    amount: withDescription(nullableAmount, 'Decimal string, e.g. "-12.50"; never a float.'),
    currency: withDescription(nullableCurrency, 'ISO 4217 code in upper case.'),
    tid: withDescription(nullableString, 'Partner transaction id (tracker.tid).'),
    fields: withDescription(stringMap, "The click's custom fields after this postback."),
    campaign: nullableString,
    source: nullableString,
    subscriberId: nullableString,
    clickParams: withDescription(stringMap, "The click's stored parameters (click params)."),
    clickedAt: isoDateTime,
  },
  ['clickParams'],
);

export const ConversionRecordedDefinition: EventDefinition<ConversionRecordedEvent> = {
  type: CONVERSION_RECORDED,
  version: 1,
  topic: Topics.Conversions,
  description: 'An attributed postback moved its click through the funnel; for subscribers.',
  integrationScoped: true,
  payloadSchema,
  payloadRules,
  example: {
    id: 'b3b702f9-5e93-5369-8ddc-022f350b395e',
    type: CONVERSION_RECORDED,
    version: 1,
    occurredAt: '2026-11-24T05:00:00.040Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    correlationId: 'Xk3p9QmZ2rTa',
    causationId: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
    payload: {
      postbackId: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
      clickId: 'Xk3p9QmZ2rTa',
      event: 'resale',
      kind: 'deposit',
      stage: 'first_deposit',
      ordinal: 1,
      amount: '50.00',
      currency: 'USD',
      tid: null,
      fields: { trader_id: '48213977' },
      campaign: 'winter-promo',
      source: 'telegram-ads',
      subscriberId: '781234567',
      clickParams: { fbclid: 'IwAR2xYz' },
      clickedAt: '2026-11-24T04:41:17.250Z',
    },
  },
};
