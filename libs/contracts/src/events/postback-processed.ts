import type { EventEnvelope, IntegrationScoped } from '../envelope';
import {
  nullableAmount,
  nullableIsoDateTime,
  nullableCurrency,
  nullableString,
  nullableUuid,
  objectSchema,
  uuid,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import {
  CONVERSION_STAGES,
  POSTBACK_ERROR_CODES,
  PROCESSED_POSTBACK_STATUSES,
  type ConversionStage,
  type PostbackErrorCode,
  type ProcessedPostbackStatus,
} from '../vocabulary';
import type { ErrorDetail, ParamUse } from '../postback-reading';
import { ERROR_CAUSES } from '../postback-reading';
import type { EventDefinition } from './event-definition';

export const POSTBACK_PROCESSED = 'PostbackProcessed';

/** What the conversion looks like, so the postback log can show it without a join. */
export interface PostbackConversionSummary {
  stage: ConversionStage;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
}

export interface PostbackProcessedPayload {
  /** Id of the PostbackReceived event this outcome is about. */
  postbackId: string;
  status: ProcessedPostbackStatus;
  /** Null exactly when the status is `attributed`. */
  errorCode: PostbackErrorCode | null;
  /** Human-readable explanation for the log, e.g. the configured events for `unknown_event`. */
  error: string | null;
  /** Id of the ConversionRecorded event; set exactly when the status is `attributed`. */
  conversionId: string | null;
  conversion?: PostbackConversionSummary | null;
  /** The resolved click id, when there was one. */
  clickId?: string | null;
  /** The parameter at fault, the value received and why (SPEC section 4); null when fine. */
  errorDetail?: ErrorDetail | null;
  /** `{name: usedAs}` for every parameter of the postback (SPEC section 4). */
  paramsUsedAs?: Record<string, ParamUse | null>;
  /** When the attributed click was made (so the log can show the delay); else null. */
  clickedAt?: string | null;
}

/**
 * The decision about one postback. A postback may get several over time (e.g. `unmatched`,
 * then `attributed` once its click is registered): the later one, in partition order,
 * supersedes the earlier.
 */
export type PostbackProcessedEvent = IntegrationScoped<
  EventEnvelope<typeof POSTBACK_PROCESSED, PostbackProcessedPayload, 1>
>;

const conversionSchema = objectSchema(
  {
    stage: { type: 'string', enum: [...CONVERSION_STAGES] },
    ordinal: { type: ['integer', 'null'], minimum: 1 },
    amount: nullableAmount,
    currency: nullableCurrency,
  },
  [],
  ['object', 'null'],
);

const payloadSchema = objectSchema(
  {
    postbackId: withDescription(uuid, 'Id of the PostbackReceived event.'),
    status: { type: 'string', enum: [...PROCESSED_POSTBACK_STATUSES] },
    errorCode: { type: ['string', 'null'], enum: [...POSTBACK_ERROR_CODES, null] },
    error: nullableString,
    conversionId: withDescription(nullableUuid, 'Id of the ConversionRecorded event.'),
    conversion: withDescription(conversionSchema, 'The recorded conversion, for display.'),
    clickId: nullableString,
    errorDetail: withDescription(
      objectSchema(
        {
          param: nullableString,
          value: nullableString,
          cause: { type: 'string', enum: [...ERROR_CAUSES] },
        },
        [],
        ['object', 'null'],
      ),
      'The parameter at fault, the value received and why; null when fine.',
    ),
    paramsUsedAs: withDescription(
      { type: 'object', additionalProperties: { type: ['string', 'null'] } },
      'What each parameter was used for: event, clickId, amount, currency, tid, status, field:<key>, or null.',
    ),
    clickedAt: withDescription(nullableIsoDateTime, 'When the attributed click was made.'),
  },
  ['conversion', 'clickId', 'errorDetail', 'paramsUsedAs', 'clickedAt'],
);

// "errorCode (null when fine)" and "each attributed postback produces one conversion".
const payloadRules = [
  {
    if: { properties: { status: { const: 'attributed' } } },
    then: { properties: { errorCode: { type: 'null' }, conversionId: { type: 'string' } } },
    else: { properties: { errorCode: { type: 'string' }, conversionId: { type: 'null' } } },
  },
];

export const PostbackProcessedDefinition: EventDefinition<PostbackProcessedEvent> = {
  type: POSTBACK_PROCESSED,
  version: 1,
  topic: Topics.PostbackOutcomes,
  description: 'The status and error code decided for a received postback.',
  integrationScoped: true,
  payloadSchema,
  payloadRules,
  example: {
    id: '0193b6f2-7d10-7e01-a2b3-c4d5e6f7a8b9',
    type: POSTBACK_PROCESSED,
    version: 1,
    occurredAt: '2026-11-24T05:00:00.042Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    correlationId: 'Xk3p9QmZ2rTa',
    causationId: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
    payload: {
      postbackId: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
      status: 'attributed',
      errorCode: null,
      error: null,
      conversionId: 'b3b702f9-5e93-5369-8ddc-022f350b395e',
      conversion: { stage: 'first_deposit', ordinal: 1, amount: '50.00', currency: 'USD' },
      clickId: 'Xk3p9QmZ2rTa',
      errorDetail: null,
      paramsUsedAs: {
        'tracker.event': 'event',
        currency: 'currency',
        click_id: 'clickId',
        sumdep: 'amount',
        trader_id: 'field:trader_id',
      },
      clickedAt: '2026-11-24T04:41:17.250Z',
    },
  },
};
