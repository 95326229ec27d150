import type { EventEnvelope, IntegrationScoped } from '../envelope';
import {
  clickId,
  eventKind,
  eventName,
  isoDateTime,
  nullableAmount,
  nullableUuid,
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
  /**
   * The conversion id (its ConversionRecorded id) a `reversal` cancels; null otherwise. Absent
   * on events older than reversals.
   */
  reverses?: string | null;
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
// (ordinal ≥ 2); every other kind lands on its own stage with no ordinal; a reversal keeps the
// reversed conversion's kind, has no ordinal and names the conversion it cancels.
const payloadRules = [
  {
    if: { properties: { kind: { enum: [...DEPOSIT_KINDS] } } },
    then: { properties: { stage: { enum: ['first_deposit', 'redeposit', 'reversal'] } } },
  },
  ...NON_DEPOSIT_KINDS.map((kind) => ({
    if: { properties: { kind: { const: kind } } },
    then: { properties: { stage: { enum: [kind, 'reversal'] } } },
  })),
  {
    if: { properties: { stage: { const: 'reversal' } } },
    then: {
      required: ['reverses'],
      properties: { ordinal: { type: 'null' }, reverses: { type: 'string' } },
    },
    else: { properties: { reverses: { type: 'null' } } },
  },
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
    stage: withDescription(
      { type: 'string', enum: [...CONVERSION_STAGES] },
      'Consumers ignore stages they do not know (reversal was added in v1).',
    ),
    reverses: withDescription(
      nullableUuid,
      'The conversion id a reversal cancels; null (or absent) otherwise.',
    ),
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
  ['reverses', 'clickParams'],
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
      reverses: null,
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
  moreExamples: [
    {
      id: '6f0d3c1a-9b8e-5a47-8c21-3e4f5a6b7c8d',
      type: CONVERSION_RECORDED,
      version: 1,
      occurredAt: '2026-11-30T09:12:00.000Z',
      accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
      integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
      correlationId: 'Xk3p9QmZ2rTa',
      causationId: '0193d2a0-1b2c-7d3e-8f4a-5b6c7d8e9f0a',
      payload: {
        postbackId: '0193d2a0-1b2c-7d3e-8f4a-5b6c7d8e9f0a',
        clickId: 'Xk3p9QmZ2rTa',
        event: 'resale',
        kind: 'deposit',
        stage: 'reversal',
        reverses: 'b3b702f9-5e93-5369-8ddc-022f350b395e',
        ordinal: null,
        amount: '-50.00',
        currency: 'USD',
        tid: 'T-9',
        fields: { trader_id: '48213977' },
        campaign: 'winter-promo',
        source: 'telegram-ads',
        subscriberId: '781234567',
        clickedAt: '2026-11-24T04:41:17.250Z',
      },
    },
  ],
};
