import {
  createEvent,
  findIntegrationTemplate,
  IntegrationChangedPayload,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { isRelevantConversion, RecordedConversion } from './click-history';
import {
  ClickHistory,
  decide,
  evolve,
  JudgePostback,
  negateAmount,
  recordedConversion,
  Verdict,
} from './postback-decider';
import { readPostback } from './postback-reading';

const CLICK = 'Xk3p9QmZ2rTa';
const T0 = Date.parse('2026-11-24T05:00:00.000Z');
const template = findIntegrationTemplate('pocket-option-revshare-v2')!;
const integration: IntegrationChangedPayload = {
  id: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
  accountId: 'acc',
  name: 'PO',
  template: template.id,
  clickIdParam: 'click_id',
  amountParam: 'sumdep',
  defaultCurrency: 'USD',
  fieldParams: { trader_id: 'trader_id' },
  enabled: true,
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T10:00:00.000Z',
  events: [
    ...template.events.map((e) => ({ ...e, params: { ...e.params } })),
    { name: 'lead', label: 'Lead', kind: 'custom', params: {} },
  ],
  registrationLinks: [],
};

/** A postback as the partner sends it: its query string, `at` hours after the first. */
interface Sent {
  q: Record<string, string>;
  at?: number;
  body?: { bodyError: string; rawBody: string };
}

let seq = 0;
function command(sent: Sent, settings = integration): JudgePostback {
  const receivedAt = new Date(T0 + (sent.at ?? 0) * 3600_000);
  const event: PostbackReceivedEvent = createEvent(
    'PostbackReceived',
    {
      method: 'GET',
      url: '/x',
      query: sent.q,
      body: null,
      ...(sent.body && { ...sent.body, contentType: 'application/json' }),
      remoteAddress: null,
      userAgent: null,
      event: sent.q['tracker.event'] ?? null,
      clickId: sent.q.click_id ?? null,
      receivedAt: receivedAt.toISOString(),
    },
    {
      accountId: 'acc',
      integrationId: integration.id,
      id: `00000000-0000-7000-8000-${String(++seq).padStart(12, '0')}`,
    },
  );
  return {
    postbackId: event.id,
    integrationId: integration.id,
    receivedAt,
    reading: readPostback(event, settings),
  };
}

/** The history as the live judgement loads it for this one postback (see AttributionStore.historyFor). */
function partialFor(cmd: JudgePostback, recorded: RecordedConversion[]): ClickHistory {
  const postback = cmd.reading.ok ? cmd.reading.postback : null;
  const asked = {
    tids: new Set(postback?.tid != null ? [postback.tid] : []),
    paramsHashes: new Set(postback && postback.tid === null ? [postback.paramsHash] : []),
  };
  const deposits = recorded.filter((c) => c.stage !== 'reversal' && c.ordinal !== null).length;
  return ClickHistory.partial(
    recorded.filter((c) => isRelevantConversion(c, asked)),
    deposits,
  );
}

function show(verdict: Verdict, ids: Map<string, number>): string {
  if (verdict.status !== 'attributed') return `${verdict.status}/${verdict.errorCode}`;
  const c = verdict.conversion;
  if (c.reverses)
    return `reversal of #${ids.get(c.reverses.conversionId)} ${c.amount ?? ''}`.trim();
  return c.ordinal === null ? c.stage : `${c.stage}#${c.ordinal}`;
}

/**
 * Given the click (registered, or not: `click: false`), when these postbacks arrive in order,
 * then each gets this verdict (`#n` names the n-th postback, counting from 1).
 */
function given(options: { click?: boolean; settings?: IntegrationChangedPayload } = {}) {
  return {
    when: (...sent: Sent[]) => {
      let click: ClickHistory | null = options.click === false ? null : ClickHistory.of();
      const recorded: RecordedConversion[] = [];
      const ids = new Map<string, number>();
      return sent.map((s, index) => {
        const cmd = command(s, options.settings);
        const verdict = decide(cmd, click);
        // The live judgement loads only the part of a history a postback can ask about: it
        // must give the same verdict as the whole history.
        if (click) expect(decide(cmd, partialFor(cmd, recorded))).toEqual(verdict);
        if (verdict.status === 'attributed') ids.set(verdict.conversion.conversionId, index + 1);
        if (click) {
          click = evolve(click, cmd, verdict);
          const conversion = recordedConversion(cmd, verdict);
          if (conversion) recorded.push(conversion);
        }
        return show(verdict, ids);
      });
    },
  };
}

const pb = (event: string, extra: Record<string, string> = {}, at?: number): Sent => ({
  q: { 'tracker.event': event, click_id: CLICK, ...extra },
  at,
});

describe('decide (SPEC section 5 "Stages")', () => {
  it.each<[string, Sent[], string[]]>([
    [
      'registration and email confirmation count once per click',
      [
        pb('registration'),
        pb('registration', { x: '1' }),
        pb('emailconf'),
        pb('emailconf', { x: '2' }),
      ],
      ['registration', 'duplicate/duplicate', 'email_confirmation', 'duplicate/duplicate'],
    ],
    [
      'deposits: first is FD, later ones RD with ordinals',
      [pb('resale', { n: '1' }), pb('resale', { n: '2' }), pb('resale', { n: '3' })],
      ['first_deposit#1', 'redeposit#2', 'redeposit#3'],
    ],
    [
      'a first_deposit after an FD is an RD only with a new tid',
      [
        pb('sale'),
        pb('sale', { n: '2' }),
        pb('sale', { 'tracker.tid': 'T2' }),
        pb('sale', { 'tracker.tid': 'T2', n: '3' }),
      ],
      ['first_deposit#1', 'duplicate/duplicate', 'redeposit#2', 'duplicate/duplicate'],
    ],
    [
      '(integration, click, event, tid) is unique',
      [
        pb('resale', { 'tracker.tid': 'A' }),
        pb('resale', { 'tracker.tid': 'A', sumdep: '9' }),
        pb('withdraw', { 'tracker.tid': 'A' }),
      ],
      ['first_deposit#1', 'duplicate/duplicate', 'withdrawal'],
    ],
    [
      'identical postbacks without tid are duplicates within 24 h only',
      [pb('resale', {}, 0), pb('resale', {}, 23), pb('resale', {}, 25)],
      ['first_deposit#1', 'duplicate/duplicate', 'redeposit#2'],
    ],
    [
      'an identical redeposit or custom event is a duplicate too (not only a first one)',
      [
        pb('resale', { n: '1' }),
        pb('resale', { n: '2' }, 1),
        pb('resale', { n: '2' }, 2),
        pb('lead', {}, 3),
        pb('lead', {}, 4),
      ],
      ['first_deposit#1', 'redeposit#2', 'duplicate/duplicate', 'custom', 'duplicate/duplicate'],
    ],
    [
      'withdrawals, commission and custom events are recorded on their own stage',
      [pb('withdraw'), pb('withdraw', { n: '2' }), pb('Revshare'), pb('lead')],
      ['withdrawal', 'withdrawal', 'commission', 'custom'],
    ],
  ])('%s', (_name, sent, expected) => {
    expect(given().when(...sent)).toEqual(expected);
  });
});

describe('decide (SPEC section 5 "Status updates")', () => {
  it.each<[string, Sent[], string[]]>([
    [
      'status resends without tid are identical postbacks (new → approved)',
      [
        pb('resale', { sumdep: '50', status: 'new' }),
        pb('resale', { sumdep: '50', status: 'approved' }),
      ],
      ['first_deposit#1', 'duplicate/duplicate'],
    ],
    [
      'status resends with tid are duplicates by tid',
      [
        pb('resale', { sumdep: '50', 'tracker.tid': 'T1', status: 'new' }),
        pb('resale', { sumdep: '50', 'tracker.tid': 'T1', status: 'approved' }),
      ],
      ['first_deposit#1', 'duplicate/duplicate'],
    ],
    [
      'a chargeback with the tid of an FD reverses it, negating its amount',
      [
        pb('resale', { sumdep: '50', 'tracker.tid': 'T-9' }),
        pb('resale', { 'tracker.tid': 'T-9', status: 'chargeback' }),
      ],
      ['first_deposit#1', 'reversal of #1 -50'],
    ],
    [
      'a reversal of an RD by tid, from another event, ignoring its own (negative) amount',
      [
        pb('resale', { sumdep: '50', 'tracker.tid': 'T-1' }),
        pb('resale', { sumdep: '20.5', 'tracker.tid': 'T-2' }),
        pb('withdraw', { sumdep: '-99', 'tracker.tid': 'T-2', status: 'Refund' }),
      ],
      ['first_deposit#1', 'redeposit#2', 'reversal of #2 -20.5'],
    ],
    [
      'a second reversal of the same conversion is a duplicate',
      [
        pb('resale', { sumdep: '50', 'tracker.tid': 'T-9' }),
        pb('resale', { 'tracker.tid': 'T-9', status: 'chargeback' }),
        pb('sale', { 'tracker.tid': 'T-9', status: 'chargeback' }),
      ],
      ['first_deposit#1', 'reversal of #1 -50', 'duplicate/duplicate'],
    ],
    [
      'with several conversions of that tid, the latest one not yet reversed',
      [
        pb('sale', { sumdep: '10', 'tracker.tid': 'T' }),
        pb('resale', { sumdep: '20', 'tracker.tid': 'T' }),
        pb('resale', { 'tracker.tid': 'T', status: 'refund' }),
        pb('resale', { 'tracker.tid': 'T', status: 'fraud' }),
        pb('resale', { 'tracker.tid': 'T', status: 'reversed' }),
      ],
      [
        'first_deposit#1',
        'redeposit#2',
        'reversal of #2 -20',
        'reversal of #1 -10',
        'duplicate/duplicate',
      ],
    ],
    [
      'an unknown tid is reversal_not_found',
      [
        pb('resale', { sumdep: '5', 'tracker.tid': 'A' }),
        pb('resale', { 'tracker.tid': 'B', status: 'chargeback' }),
      ],
      ['first_deposit#1', 'rejected/reversal_not_found'],
    ],
    [
      'a reversal without tid is reversal_not_found',
      [pb('resale', { sumdep: '5' }), pb('resale', { status: 'chargeback' })],
      ['first_deposit#1', 'rejected/reversal_not_found'],
    ],
    [
      'a commission reversal negates the commission',
      [
        pb('Revshare', { sumdep: '3.10', 'tracker.tid': 'C' }),
        pb('Revshare', { 'tracker.tid': 'C', status: 'declined' }),
      ],
      ['commission', 'reversal of #1 -3.10'],
    ],
    [
      'reversals leave ordinals as recorded',
      [
        pb('resale', { sumdep: '1', 'tracker.tid': 'A' }),
        pb('resale', { 'tracker.tid': 'A', status: 'chargeback' }),
        pb('resale', { sumdep: '2', 'tracker.tid': 'B' }),
      ],
      ['first_deposit#1', 'reversal of #1 -1', 'redeposit#2'],
    ],
    [
      'a negative amount on a deposit that is no reversal stays invalid_amount',
      [pb('resale', { sumdep: '-5', status: 'approved' })],
      ['rejected/invalid_amount'],
    ],
  ])('%s', (_name, sent, expected) => {
    expect(given().when(...sent)).toEqual(expected);
  });

  it('reads the tid from tidParam and the status from statusParam', () => {
    const settings = {
      ...integration,
      tidParam: 'txn',
      statusParam: 'state',
      reversalStatuses: ['void'],
    };
    expect(
      given({ settings }).when(
        pb('resale', { sumdep: '7', txn: 'X' }),
        pb('resale', { txn: 'X', state: 'chargeback' }),
        pb('resale', { txn: 'X', state: 'VOID' }),
      ),
    ).toEqual(['first_deposit#1', 'duplicate/duplicate', 'reversal of #1 -7']);
  });
});

describe("decide: issue 12's rows and the verdict order (SPEC section 5)", () => {
  it.each<[string, Sent, string]>([
    [
      '<bannerid> as click id',
      { q: { 'tracker.event': 'registration', click_id: '<bannerid>' } },
      'rejected/click_id_missing',
    ],
    [
      '%%CLICK_ID%%',
      { q: { 'tracker.event': 'registration', click_id: '%%CLICK_ID%%' } },
      'rejected/click_id_missing',
    ],
    [
      '{click_id} encoded twice',
      { q: { 'tracker.event': 'registration', click_id: '%7Bclick_id%7D' } },
      'rejected/click_id_missing',
    ],
    [
      'a click id with spaces',
      { q: { 'tracker.event': 'registration', click_id: ` ${CLICK} ` } },
      'registration',
    ],
    [
      'a click id with a newline',
      { q: { 'tracker.event': 'registration', click_id: `${CLICK}\n` } },
      'registration',
    ],
    [
      'a second ?',
      { q: { 'tracker.event': 'resale', currency: `usd?click_id=${CLICK}`, sumdep: '50' } },
      'rejected/click_id_missing',
    ],
    [
      'not a tracker click id',
      { q: { 'tracker.event': 'resale', click_id: 'abc' } },
      'rejected/click_not_found',
    ],
    [
      'an unparseable body with an incomplete query',
      {
        q: { 'tracker.event': 'resale' },
        body: { bodyError: 'body is not valid JSON', rawBody: '{"click_id": abc,}' },
      },
      'rejected/invalid_body',
    ],
    [
      'an unparseable body with a complete query',
      {
        q: { 'tracker.event': 'resale', click_id: CLICK, sumdep: '30' },
        body: { bodyError: 'body is not valid JSON', rawBody: '{' },
      },
      'first_deposit#1',
    ],
    [
      'event missing before anything else',
      { q: { click_id: '{x}', sumdep: 'x' } },
      'rejected/event_missing',
    ],
  ])('%s', (_name, sent, expected) => {
    expect(given().when(sent)).toEqual([expected]);
  });

  it('an unknown click is unmatched (click_not_found, no_match)', () => {
    expect(given({ click: false }).when(pb('registration'))).toEqual(['unmatched/click_not_found']);
    const verdict = decide(command(pb('registration')), null);
    expect(verdict).toMatchObject({
      errorDetail: { param: 'click_id', value: CLICK, cause: 'no_match' },
    });
  });

  it('quotes the value and names the parameter, and the other failing ones too', () => {
    const verdict = decide(
      command({
        q: { 'tracker.event': 'resale', currency: `usd?click_id=${CLICK}`, sumdep: '50' },
      }),
      ClickHistory.of(),
    );
    expect(verdict).toMatchObject({
      errorCode: 'click_id_missing',
      errorDetail: {
        param: 'currency',
        value: `usd?click_id=${CLICK}`,
        cause: 'second_question_mark',
      },
    });
    if (verdict.status !== 'attributed') {
      expect(verdict.error).toContain(`parameter 'currency' holds 'usd?click_id=${CLICK}'`);
      expect(verdict.error).toContain('invalid currency');
    }
  });
});

describe('negateAmount', () => {
  it.each([
    ['50.00', '-50.00'],
    ['-12.50', '12.50'],
    ['0', '0'],
    [null, null],
  ])('%s → %s', (amount, negated) => {
    expect(negateAmount(amount)).toBe(negated);
  });
});
