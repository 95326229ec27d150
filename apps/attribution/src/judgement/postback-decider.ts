import {
  ConversionStage,
  conversionRecordedId,
  ErrorDetail,
  EventKind,
  PostbackErrorCode,
} from '@tracker/contracts';
import { ClickHistory, RecordedConversion } from './click-history';
import type { Reading, ReadPostback } from './postback-reading';
import { judgeStage } from './stage-rules';

export { ClickHistory } from './click-history';

/** Judge one postback: its reading, when it was reported, and by whom. */
export interface JudgePostback {
  postbackId: string;
  integrationId: string;
  receivedAt: Date;
  reading: Reading;
}

/** The conversion an attributed postback records. */
export interface RecordedFacts {
  conversionId: string;
  stage: ConversionStage;
  kind: EventKind;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
  /** The conversion a reversal cancels, and that conversion's stage. */
  reverses: { conversionId: string; stage: ConversionStage } | null;
}

/** The verdict on a postback (SPEC section 5). */
export type Verdict =
  | {
      status: 'rejected' | 'unmatched' | 'duplicate';
      errorCode: PostbackErrorCode;
      error: string;
      errorDetail: ErrorDetail | null;
    }
  | { status: 'attributed'; conversion: RecordedFacts };

/** Flips the sign of a decimal string; zero stays as sent. */
export function negateAmount(amount: string | null): string | null {
  if (amount === null) return null;
  if (amount.startsWith('-')) return amount.slice(1);
  return /^[0.]+$/.test(amount) ? amount : `-${amount}`;
}

function quote(value: string): string {
  return `'${value.length > 64 ? `${value.slice(0, 64)}…` : value}'`;
}

function clickNotFound(postback: ReadPostback): Verdict {
  const where =
    postback.clickIdParam === null ? 'the click id' : `parameter '${postback.clickIdParam}'`;
  return {
    status: 'unmatched',
    errorCode: 'click_not_found',
    error:
      `click not found: ${where} holds ${quote(postback.clickId)}, but no such click was ` +
      `registered for this account (yet); it is attributed automatically if the click arrives ` +
      `later, otherwise check that the partner returns the click id from the registration link`,
    errorDetail: { param: postback.clickIdParam, value: postback.clickId, cause: 'no_match' },
  };
}

/** SPEC section 5 "Status updates": which conversion a reversal cancels, if any. */
function decideReversal(postback: ReadPostback, history: ClickHistory): Verdict {
  if (postback.tid === null) {
    return {
      status: 'rejected',
      errorCode: 'reversal_not_found',
      error:
        `reversal not found: the postback's status makes it a reversal, but it carries no ` +
        `transaction id (tracker.tid or the integration's tidParam), so no conversion can be ` +
        `matched; add the partner's transaction id macro to the postback URL`,
      errorDetail: { param: postback.tidParam, value: null, cause: 'absent' },
    };
  }
  const sameTid = history.withTid(postback.tid);
  if (sameTid.length === 0) {
    return {
      status: 'rejected',
      errorCode: 'reversal_not_found',
      error:
        `reversal not found: parameter '${postback.tidParam}' holds ${quote(postback.tid)}, but ` +
        `no attributed conversion of click '${postback.clickId}' has that transaction id`,
      errorDetail: { param: postback.tidParam, value: postback.tid, cause: 'no_match' },
    };
  }
  const open = sameTid.filter((c) => !history.isReversed(c.conversionId));
  if (open.length === 0) {
    const last = sameTid[sameTid.length - 1];
    return {
      status: 'duplicate',
      errorCode: 'duplicate',
      error:
        `duplicate: the '${last.event}' conversion with transaction id ${quote(postback.tid)} ` +
        `(recorded at ${last.receivedAt.toISOString()}) was already reversed`,
      errorDetail: null,
    };
  }
  // With several, the latest one not yet reversed (SPEC section 5).
  const target = open[open.length - 1];
  return {
    status: 'attributed',
    conversion: {
      conversionId: '',
      stage: 'reversal',
      kind: target.kind,
      ordinal: null,
      amount: negateAmount(target.amount),
      currency: target.currency,
      reverses: { conversionId: target.conversionId, stage: target.stage },
    },
  };
}

/**
 * Attribution's rules as one pure decision (SPEC section 5): the reading's first failing check,
 * then the click (unknown → `unmatched`), then a reversal's match, then the stage and duplicate
 * rules against the click's history. The caller loads the history and stores the verdict.
 */
export function decide(command: JudgePostback, click: ClickHistory | null): Verdict {
  const { reading } = command;
  if (!reading.ok) {
    const { errorCode, error, errorDetail } = reading.rejection;
    return { status: 'rejected', errorCode, error, errorDetail };
  }
  const postback = reading.postback;
  if (click === null) return clickNotFound(postback);
  if (postback.reversal) {
    const verdict = decideReversal(postback, click);
    if (verdict.status !== 'attributed') return verdict;
    return {
      status: 'attributed',
      conversion: { ...verdict.conversion, conversionId: conversionRecordedId(command.postbackId) },
    };
  }
  const stage = judgeStage(postback, command.integrationId, command.receivedAt, click);
  if (stage.status === 'duplicate') {
    return { status: 'duplicate', errorCode: 'duplicate', error: stage.error, errorDetail: null };
  }
  return {
    status: 'attributed',
    conversion: {
      conversionId: conversionRecordedId(command.postbackId),
      stage: stage.stage,
      kind: postback.kind,
      ordinal: stage.ordinal,
      amount: postback.amount,
      currency: postback.currency,
      reverses: null,
    },
  };
}

/** The conversion an attributed verdict records, as the click's history keeps it; else null. */
export function recordedConversion(
  command: JudgePostback,
  verdict: Verdict,
): RecordedConversion | null {
  if (verdict.status !== 'attributed' || !command.reading.ok) return null;
  const postback = command.reading.postback;
  const { conversion } = verdict;
  return {
    conversionId: conversion.conversionId,
    integrationId: command.integrationId,
    event: postback.event,
    kind: conversion.kind,
    tid: postback.tid,
    paramsHash: postback.paramsHash,
    stage: conversion.stage,
    ordinal: conversion.ordinal,
    amount: conversion.amount,
    currency: conversion.currency,
    receivedAt: command.receivedAt,
    reverses: conversion.reverses?.conversionId ?? null,
  };
}

/**
 * The click's history after a verdict: an attributed postback joins it. The history is appended
 * in place and returned (a batch's histories are its own; copying one per postback made a click
 * with n deposits cost O(n²)).
 */
export function evolve(
  click: ClickHistory,
  command: JudgePostback,
  verdict: Verdict,
): ClickHistory {
  const conversion = recordedConversion(command, verdict);
  if (conversion) click.add(conversion);
  return click;
}
