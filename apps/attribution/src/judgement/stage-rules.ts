import { ConversionStage, isDepositKind } from '@tracker/contracts';
import type { ClickHistory } from './click-history';
import type { ReadPostback } from './postback-reading';

export type StageVerdict =
  | { status: 'attributed'; stage: ConversionStage; ordinal: number | null }
  | { status: 'duplicate'; error: string };

const IDENTICAL_WINDOW_MS = 24 * 60 * 60 * 1000;

const ONCE_PER_CLICK: readonly ConversionStage[] = ['registration', 'email_confirmation'];

function at(date: Date): string {
  return date.toISOString();
}

/**
 * SPEC section 5 "Stages": decides whether a postback moves its click through the funnel, given
 * what the click already has. Pure (it only reads the history), so the late-click path replays
 * it in receivedAt order.
 */
export function judgeStage(
  postback: ReadPostback,
  integrationId: string,
  receivedAt: Date,
  history: ClickHistory,
): StageVerdict {
  // Reversals cancel conversions; the history never counts them as one for these rules.
  if (postback.tid !== null) {
    const seen = history.withTransaction(integrationId, postback.event, postback.tid);
    if (seen) {
      return {
        status: 'duplicate',
        error:
          `duplicate: transaction id '${postback.tid}' (${postback.tidParam}) was already recorded for ` +
          `event '${postback.event}' on this click at ${at(seen.receivedAt)}`,
      };
    }
  } else {
    const identical = history.withParams(
      integrationId,
      postback.event,
      postback.paramsHash,
      (c) => Math.abs(receivedAt.getTime() - c.receivedAt.getTime()) < IDENTICAL_WINDOW_MS,
    );
    if (identical) {
      return {
        status: 'duplicate',
        error:
          `duplicate: an identical '${postback.event}' postback for this click was recorded at ` +
          `${at(identical.receivedAt)} (within 24 h); send tracker.tid to count separate transactions`,
      };
    }
  }

  if (!isDepositKind(postback.kind)) {
    const stage = postback.kind as ConversionStage;
    const earlier = ONCE_PER_CLICK.includes(stage) && history.firstOf(stage);
    if (earlier) {
      return {
        status: 'duplicate',
        error:
          `duplicate: this click already has its ${stage.replace('_', ' ')} (recorded at ` +
          `${at(earlier.receivedAt)}); it counts once per click`,
      };
    }
    return { status: 'attributed', stage, ordinal: null };
  }

  const deposits = history.deposits;
  if (deposits > 0 && postback.kind === 'first_deposit' && postback.tid === null) {
    const fd = history.firstOf('first_deposit');
    return {
      status: 'duplicate',
      error:
        `duplicate: this click already has its first deposit` +
        (fd ? ` (recorded at ${at(fd.receivedAt)})` : '') +
        `; a repeated '${postback.event}' counts as a redeposit only with a new transaction id ` +
        `(tracker.tid)`,
    };
  }
  const ordinal = deposits + 1;
  return { status: 'attributed', stage: ordinal === 1 ? 'first_deposit' : 'redeposit', ordinal };
}
