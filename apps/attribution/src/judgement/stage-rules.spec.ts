import { EventKind } from '@tracker/contracts';
import type { ReadPostback } from './postback-reading';
import { judgeStage, RecordedConversion, StageVerdict } from './stage-rules';

const INTEGRATION = 'int-1';
const T0 = new Date('2026-11-24T05:00:00.000Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3600_000);

interface Step {
  event: string;
  kind: EventKind;
  tid?: string;
  params?: string;
  at?: number;
}

/** Runs a click's postbacks through the rules, keeping the attributed ones as history. */
function script(steps: Step[]): string[] {
  const history: RecordedConversion[] = [];
  return steps.map((step) => {
    const postback: ReadPostback = {
      clickId: 'Xk3p9QmZ2rTa',
      event: step.event,
      kind: step.kind,
      amount: null,
      currency: null,
      tid: step.tid ?? null,
      fields: {},
      paramsHash: step.params ?? `${step.event}:${Math.random()}`,
      clickIdParam: 'click_id',
    };
    const receivedAt = hours(step.at ?? 0);
    const verdict: StageVerdict = judgeStage(postback, INTEGRATION, receivedAt, history);
    if (verdict.status === 'duplicate') return 'duplicate';
    history.push({
      integrationId: INTEGRATION,
      event: step.event,
      tid: postback.tid,
      paramsHash: postback.paramsHash,
      stage: verdict.stage,
      ordinal: verdict.ordinal,
      receivedAt,
    });
    return verdict.ordinal === null ? verdict.stage : `${verdict.stage}#${verdict.ordinal}`;
  });
}

describe('judgeStage (SPEC section 5 "Stages")', () => {
  it.each<[string, Step[], string[]]>([
    [
      'registration and email confirmation count once per click',
      [
        { event: 'registration', kind: 'registration' },
        { event: 'registration', kind: 'registration' },
        { event: 'conf', kind: 'email_confirmation' },
        { event: 'conf', kind: 'email_confirmation' },
      ],
      ['registration', 'duplicate', 'email_confirmation', 'duplicate'],
    ],
    [
      'deposits: first is FD, later ones RD with ordinals',
      [
        { event: 'resale', kind: 'deposit' },
        { event: 'resale', kind: 'deposit' },
        { event: 'resale', kind: 'deposit' },
      ],
      ['first_deposit#1', 'redeposit#2', 'redeposit#3'],
    ],
    [
      'a first_deposit after an FD is an RD only with a new tid',
      [
        { event: 'sale', kind: 'first_deposit' },
        { event: 'sale', kind: 'first_deposit' },
        { event: 'sale', kind: 'first_deposit', tid: 'T2' },
        { event: 'sale', kind: 'first_deposit', tid: 'T2' },
      ],
      ['first_deposit#1', 'duplicate', 'redeposit#2', 'duplicate'],
    ],
    [
      'first_deposit and deposit kinds share the ordinal sequence',
      [
        { event: 'resale', kind: 'deposit' },
        { event: 'sale', kind: 'first_deposit', tid: 'T1' },
        { event: 'resale', kind: 'deposit' },
      ],
      ['first_deposit#1', 'redeposit#2', 'redeposit#3'],
    ],
    [
      '(integration, click, event, tid) is unique',
      [
        { event: 'resale', kind: 'deposit', tid: 'A' },
        { event: 'resale', kind: 'deposit', tid: 'A' },
        { event: 'withdraw', kind: 'withdrawal', tid: 'A' },
      ],
      ['first_deposit#1', 'duplicate', 'withdrawal'],
    ],
    [
      'identical postbacks without tid are duplicates within 24 h only',
      [
        { event: 'resale', kind: 'deposit', params: 'p' },
        { event: 'resale', kind: 'deposit', params: 'p', at: 23 },
        { event: 'resale', kind: 'deposit', params: 'p', at: 25 },
      ],
      ['first_deposit#1', 'duplicate', 'redeposit#2'],
    ],
    [
      'withdrawals, commission and custom events are recorded on their own stage',
      [
        { event: 'withdraw', kind: 'withdrawal' },
        { event: 'withdraw', kind: 'withdrawal' },
        { event: 'Revshare', kind: 'commission' },
        { event: 'lead', kind: 'custom' },
      ],
      ['withdrawal', 'withdrawal', 'commission', 'custom'],
    ],
  ])('%s', (_name, steps, expected) => {
    expect(script(steps)).toEqual(expected);
  });
});
