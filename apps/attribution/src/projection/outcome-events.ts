import {
  ConversionRecordedEvent,
  ConversionStage,
  conversionClickParams,
  conversionFields,
  conversionRecordedId,
  createEvent,
  deterministicEventId,
  ErrorDetail,
  EventKind,
  ParamUse,
  PostbackErrorCode,
  PostbackProcessedEvent,
  ProcessedPostbackStatus,
} from '@tracker/contracts';

export interface PostbackIdentity {
  postbackId: string;
  accountId: string;
  integrationId: string;
  /** The click id as the ingress recorded it (the postback's partition key), or null. */
  recordedClickId: string | null;
}

export interface Decision {
  status: ProcessedPostbackStatus;
  errorCode: PostbackErrorCode | null;
  error: string | null;
  errorDetail: ErrorDetail | null;
  paramsUsedAs: Record<string, ParamUse | null>;
  /** When the attributed click was made; null unless attributed. */
  clickedAt: Date | null;
  conversion: {
    stage: ConversionStage;
    ordinal: number | null;
    amount: string | null;
    currency: string | null;
  } | null;
}

/**
 * One outcome per decision. The id is derived from (postback, status), so a redelivered or
 * replayed batch re-derives it and the outbox keeps one row; a re-judgement (unmatched, then
 * attributed) has another status and so is a second, later event.
 */
export function postbackProcessed(
  postback: PostbackIdentity,
  decision: Decision,
  decidedAt: Date,
): PostbackProcessedEvent {
  const clickId = postback.recordedClickId === '' ? null : postback.recordedClickId;
  return createEvent(
    'PostbackProcessed',
    {
      postbackId: postback.postbackId,
      status: decision.status,
      errorCode: decision.errorCode,
      error: decision.error,
      conversionId:
        decision.status === 'attributed' ? conversionRecordedId(postback.postbackId) : null,
      conversion: decision.conversion,
      clickId,
      errorDetail: decision.errorDetail,
      paramsUsedAs: decision.paramsUsedAs,
      clickedAt: decision.clickedAt?.toISOString() ?? null,
    },
    {
      id: deterministicEventId('PostbackProcessed', postback.postbackId, decision.status),
      accountId: postback.accountId,
      integrationId: postback.integrationId,
      correlationId: clickId,
      causationId: postback.postbackId,
      occurredAt: decidedAt,
    },
  );
}

export interface ConversionFacts {
  clickId: string;
  event: string;
  kind: EventKind;
  stage: ConversionStage;
  /** The conversion id a reversal cancels, else null. */
  reverses: string | null;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  fields: Record<string, string>;
  campaign: string | null;
  source: string | null;
  subscriberId: string | null;
  /** The click's stored parameters (repeated ones as arrays), for `clickParams`. */
  clickParams?: Record<string, string | string[]>;
  clickedAt: Date;
  /** When the partner reported it: the conversion's time, also on a late attribution. */
  receivedAt: Date;
}

export function conversionRecorded(
  postback: PostbackIdentity,
  facts: ConversionFacts,
): ConversionRecordedEvent {
  return createEvent(
    'ConversionRecorded',
    {
      postbackId: postback.postbackId,
      clickId: facts.clickId,
      event: facts.event,
      kind: facts.kind,
      stage: facts.stage,
      reverses: facts.reverses,
      ordinal: facts.ordinal,
      amount: facts.amount,
      currency: facts.currency,
      tid: facts.tid,
      fields: conversionFields(facts.fields),
      campaign: facts.campaign,
      source: facts.source,
      subscriberId: facts.subscriberId,
      clickParams: conversionClickParams(facts.clickParams ?? {}),
      clickedAt: facts.clickedAt.toISOString(),
    },
    {
      id: conversionRecordedId(postback.postbackId),
      accountId: postback.accountId,
      integrationId: postback.integrationId,
      correlationId: facts.clickId,
      causationId: postback.postbackId,
      occurredAt: facts.receivedAt,
    },
  );
}
