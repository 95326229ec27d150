import {
  describeProblems,
  ErrorDetail,
  EventKind,
  IntegrationChangedPayload,
  judgePostbackParams,
  ParamUse,
  paramsUsedAs,
  PostbackErrorCode,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { createHash } from 'node:crypto';

/** What a postback says once read against its integration, before the click is looked at. */
export interface ReadPostback {
  clickId: string;
  event: string;
  kind: EventKind;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  /** Its status is one of the integration's reversal statuses (SPEC section 5). */
  reversal: boolean;
  /** Custom fields this postback sets on its click. */
  fields: Record<string, string>;
  /** Identity of the parameters (all but the status) for the 24 h identical-postback rule. */
  paramsHash: string;
  /** The parameter that carried the click id, for messages (null when not known). */
  clickIdParam: string | null;
  /** The parameter a tid would come from, for messages. */
  tidParam: string;
}

export interface Rejection {
  status: 'rejected';
  errorCode: PostbackErrorCode;
  error: string;
  errorDetail: ErrorDetail;
}

export type Reading = (
  { ok: true; postback: ReadPostback } | { ok: false; rejection: Rejection }
) & { paramsUsedAs: Record<string, ParamUse | null> };

/** Order-independent digest of the identity parameters: "identical" means equal digests. */
export function paramsHash(identity: ReadonlyArray<[string, string]>): string {
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/**
 * Reads a postback against its integration with the one shared reading of `libs/contracts`
 * (SPEC section 5): the postback's facts, or the first failing check as a rejection whose
 * `error` names the other failing parameters too.
 */
export function readPostback(
  event: PostbackReceivedEvent,
  integration: IntegrationChangedPayload | undefined,
): Reading {
  const { payload } = event;
  if (!integration) {
    return {
      ok: false,
      paramsUsedAs: {},
      rejection: {
        status: 'rejected',
        errorCode: 'unknown_event',
        error:
          `integration ${event.integrationId} no longer exists (it was deleted), so none of ` +
          `its events are configured; create the integration again and update the postback URLs`,
        errorDetail: { param: 'tracker.event', value: payload.event, cause: 'not_configured' },
      },
    };
  }
  const verdict = judgePostbackParams(
    {
      query: payload.query,
      body: payload.body,
      bodyError: payload.bodyError ?? null,
      rawBody: payload.rawBody ?? null,
      contentType: payload.contentType ?? null,
    },
    integration,
  );
  const used = paramsUsedAs(verdict.reading);
  if (verdict.problems.length > 0) {
    const [first] = verdict.problems;
    return {
      ok: false,
      paramsUsedAs: used,
      rejection: {
        status: 'rejected',
        errorCode: first.errorCode,
        error: describeProblems(verdict.problems),
        errorDetail: first.errorDetail,
      },
    };
  }
  return {
    ok: true,
    paramsUsedAs: used,
    postback: {
      clickId: verdict.clickId!,
      event: verdict.event!,
      kind: verdict.kind!,
      amount: verdict.amount,
      currency: verdict.currency,
      tid: verdict.tid,
      reversal: verdict.reading.isReversal,
      fields: verdict.reading.fields,
      paramsHash: paramsHash(verdict.reading.identity),
      clickIdParam: verdict.clickIdParam,
      tidParam:
        verdict.reading.tid.state === 'value'
          ? verdict.reading.tid.param
          : (integration.tidParam ?? 'tracker.tid'),
    },
  };
}
