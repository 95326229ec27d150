import { findIntegrationTemplate } from './integration-templates';
import { describeProblems, judgePostbackParams } from './postback-checks';
import {
  paramsUsedAs,
  readPostbackParams,
  readRecordedRoles,
  ReadingSettings,
} from './postback-reading';
import { cleanValue, macroIn, mergePostbackParams } from './postback-values';

const template = findIntegrationTemplate('pocket-option-revshare-v2')!;
const settings: ReadingSettings = {
  name: 'PO',
  clickIdParam: 'click_id',
  amountParam: 'sumdep',
  defaultCurrency: 'USD',
  fieldParams: { trader_id: 'trader_id' },
  events: template.events.map((e) => ({ name: e.name, kind: e.kind })),
};
const ID = 'Xk3p9QmZ2rTa';

const judge = (query: Record<string, unknown>, extra: Partial<ReadingSettings> = {}) =>
  judgePostbackParams({ query, body: null }, { ...settings, ...extra });

describe('reading values (SPEC section 5)', () => {
  it.each([
    [' x ', 'x'],
    ['\u00a0x\u3000', 'x'],
    ['\u200bx\ufeff', 'x'],
    ['x\n', 'x'],
    ['\u0085x\u2028', 'x'],
    ['a b', 'a b'],
    ['a\0b', 'a\ufffdb'],
    ['a\ud800b', 'a\ufffdb'],
  ])('cleans %j to %j', (raw, clean) => {
    expect(cleanValue(raw)).toBe(clean);
  });

  it('uses the first value of a repeated parameter and lets the query win over the body', () => {
    const params = mergePostbackParams(
      { click_id: ['A', 'B'], sumdep: '10' },
      { sumdep: '99', trader_id: 7 },
    );
    expect([...params]).toEqual([
      ['click_id', 'A'],
      ['sumdep', '10'],
      ['trader_id', '7'],
    ]);
  });

  it('takes per role the first candidate with a non-empty, non-macro value', () => {
    const verdict = judge({
      'tracker.event': 'sale',
      click_id: '{click_id}',
      clickid: '',
      'tracker.clickid': ID,
    });
    expect(verdict.clickId).toBe(ID);
    expect(verdict.clickIdParam).toBe('tracker.clickid');
    expect(verdict.problems).toEqual([]);
  });

  it('treats a macro in tid or status as absent', () => {
    const verdict = judge({
      'tracker.event': 'sale',
      click_id: ID,
      'tracker.tid': '{tid}',
      status: '{status}',
    });
    expect(verdict.tid).toBeNull();
    expect(verdict.status).toBeNull();
    expect(verdict.problems).toEqual([]);
  });

  it('reads names like __proto__, constructor and toString as data, never inherited members', () => {
    const query = JSON.parse(
      `{"tracker.event":"sale","click_id":"${ID}","__proto__":"p","constructor":"c"}`,
    );
    const verdict = judge(query, {
      amountParam: 'toString',
      fieldParams: { __proto__: 'constructor' } as never,
    });
    expect(verdict.amount).toBeNull();
    expect(verdict.problems).toEqual([]);
    expect(verdict.reading.params.get('__proto__')).toBe('p');
    const withAmount = judge({ ...query, toString: '12.5' }, { amountParam: 'toString' });
    expect(withAmount.amount).toBe('12.5');
    const fields = judge(query, {
      fieldParams: JSON.parse('{"__proto__":"constructor"}') as Record<string, string>,
    }).reading.fields;
    expect(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value).toBe('c');
  });

  it('marks each parameter with what it was used for', () => {
    const reading = readPostbackParams(
      mergePostbackParams(
        {
          'tracker.event': 'resale',
          click_id: ID,
          sumdep: '50',
          currency: 'usd',
          'tracker.tid': 'T-1',
          status: 'approved',
          trader_id: '42',
          'fields.geo': 'DE',
          extra: 'x',
        },
        null,
      ),
      settings,
    );
    expect(paramsUsedAs(reading)).toEqual({
      'tracker.event': 'event',
      click_id: 'clickId',
      sumdep: 'amount',
      currency: 'currency',
      'tracker.tid': 'tid',
      status: 'status',
      trader_id: 'field:trader_id',
      'fields.geo': 'field:geo',
      extra: null,
    });
  });

  it('reads the tid from tidParam after tracker.tid, and the status from statusParam', () => {
    const verdict = judge(
      { 'tracker.event': 'sale', click_id: ID, txn: 'T-9', state: 'Chargeback' },
      { tidParam: 'txn', statusParam: 'state' },
    );
    expect(verdict.tid).toBe('T-9');
    expect(verdict.status).toBe('Chargeback');
    expect(verdict.reading.isReversal).toBe(true);
  });

  it('leaves the status out of the identity of identical postbacks', () => {
    const a = judge({ 'tracker.event': 'sale', click_id: ID, status: 'new' });
    const b = judge({ 'tracker.event': 'sale', click_id: ID, status: 'approved' });
    expect(a.reading.identity).toEqual(b.reading.identity);
  });
});

describe('macros (SPEC section 5: every syntax, also percent-encoded once more)', () => {
  const syntaxes = [
    '{click_id}',
    '{{click_id}}',
    '[click_id]',
    '[[click_id]]',
    '${click_id}',
    '<click_id>',
    '%click_id%',
    '%%click_id%%',
    '#click_id#',
    '$click_id$',
  ];
  it.each(syntaxes)('%s is rejected/click_id_missing naming the macro', (macro) => {
    const verdict = judge({ 'tracker.event': 'registration', click_id: macro });
    expect(verdict.problems[0].errorCode).toBe('click_id_missing');
    expect(verdict.problems[0].errorDetail).toEqual({
      param: 'click_id',
      value: macro,
      cause: 'unsubstituted_macro',
    });
    expect(verdict.problems[0].error).toContain(`'${macro}'`);
  });
  it.each(syntaxes)('%s percent-encoded once more is a macro too', (macro) => {
    const encoded = encodeURIComponent(macro);
    expect(macroIn(encoded)).toBe(macro);
    const verdict = judge({ 'tracker.event': 'registration', click_id: encoded });
    expect(verdict.problems[0].errorCode).toBe('click_id_missing');
    expect(verdict.problems[0].errorDetail.cause).toBe('unsubstituted_macro');
    expect(verdict.problems[0].error).toContain(`'${macro}'`);
  });
  it.each(['Xk3p9QmZ2rTa', '50', 'usd', 'a{b', '100%', '#1', 'T-9'])('%s is no macro', (value) => {
    expect(macroIn(value)).toBeNull();
  });
});

describe("issue 12's rows", () => {
  it('<bannerid> as click id is click_id_missing naming the macro', () => {
    const [problem] = judge({ 'tracker.event': 'registration', click_id: '<bannerid>' }).problems;
    expect(problem.errorCode).toBe('click_id_missing');
    expect(problem.error).toContain("'<bannerid>'");
  });
  it('%%CLICK_ID%% is click_id_missing', () => {
    const [problem] = judge({ 'tracker.event': 'registration', click_id: '%%CLICK_ID%%' }).problems;
    expect(problem.errorCode).toBe('click_id_missing');
    expect(problem.error).toContain("'%%CLICK_ID%%'");
  });
  it('%7Bclick_id%7D (encoded twice on its way) is click_id_missing ({click_id})', () => {
    const [problem] = judge({
      'tracker.event': 'registration',
      click_id: '%7Bclick_id%7D',
    }).problems;
    expect(problem.errorCode).toBe('click_id_missing');
    expect(problem.error).toContain("'{click_id}'");
  });
  it.each([` ${ID} `, `${ID}\n`, `\u200b${ID}`])('%j is trimmed to the click id', (value) => {
    const verdict = judge({ 'tracker.event': 'registration', click_id: value });
    expect(verdict.problems).toEqual([]);
    expect(verdict.clickId).toBe(ID);
  });
  it('a second ? is named as the cause, quoting the parameter that holds it', () => {
    const verdict = judge({
      'tracker.event': 'resale',
      currency: `usd?click_id=${ID}`,
      sumdep: '50',
    });
    expect(verdict.problems.map((p) => p.errorCode)).toEqual([
      'click_id_missing',
      'invalid_currency',
    ]);
    expect(verdict.problems[0].errorDetail).toEqual({
      param: 'currency',
      value: `usd?click_id=${ID}`,
      cause: 'second_question_mark',
    });
    const error = describeProblems(verdict.problems);
    expect(error).toContain(`parameter 'currency' holds 'usd?click_id=${ID}'`);
    expect(error).toContain("second '?'");
    expect(error).toContain('invalid currency');
  });
  it('an unparseable body with an incomplete query is invalid_body saying what failed', () => {
    const verdict = judgePostbackParams(
      {
        query: { 'tracker.event': 'resale' },
        body: null,
        bodyError: 'body is not valid JSON: Unexpected token a',
        rawBody: '{"click_id": abc, "sumdep": 30.00,}',
        contentType: 'application/json',
      },
      settings,
    );
    expect(verdict.problems[0].errorCode).toBe('invalid_body');
    expect(verdict.problems[0].errorDetail.cause).toBe('unparseable_body');
    expect(verdict.problems[0].error).toContain('not valid JSON');
    expect(verdict.problems[0].error).toContain('click id');
  });
  it('an unparseable body is ignored when the query alone suffices', () => {
    const verdict = judgePostbackParams(
      {
        query: { 'tracker.event': 'resale', click_id: ID, sumdep: '30' },
        body: null,
        bodyError: 'body is not valid JSON',
        rawBody: '{',
      },
      settings,
    );
    expect(verdict.problems).toEqual([]);
    expect(verdict.queryOnly).toBe(true);
    expect(verdict.amount).toBe('30');
  });
});

describe('verdict order and the other checks (SPEC section 5)', () => {
  it.each([
    [{ click_id: ID }, 'event_missing', 'absent'],
    [{ 'tracker.event': '', click_id: ID }, 'event_missing', 'empty'],
    [{ 'tracker.event': 'dep', click_id: ID }, 'unknown_event', 'not_configured'],
    [{ 'tracker.event': 'sale' }, 'click_id_missing', 'absent'],
    [{ 'tracker.event': 'sale', click_id: ' ' }, 'click_id_missing', 'empty'],
    [{ 'tracker.event': 'sale', click_id: ID, sumdep: '1,5' }, 'invalid_amount', 'not_a_decimal'],
    [{ 'tracker.event': 'sale', click_id: ID, sumdep: '-5' }, 'invalid_amount', 'negative'],
    [
      { 'tracker.event': 'sale', click_id: ID, sumdep: '9'.repeat(5000) },
      'invalid_amount',
      'too_large',
    ],
    [
      { 'tracker.event': 'sale', click_id: ID, sumdep: '{amount}' },
      'invalid_amount',
      'unsubstituted_macro',
    ],
    [
      { 'tracker.event': 'sale', click_id: ID, sumdep: '5', currency: 'dollars' },
      'invalid_currency',
      'not_three_letters',
    ],
    [{ 'tracker.event': 'sale', click_id: 'abc' }, 'click_not_found', 'not_a_click_id'],
    [{ 'tracker.event': 'sale', click_id: 'x'.repeat(17) }, 'click_not_found', 'not_a_click_id'],
    [
      { 'tracker.event': 'sale', click_id: ID, big: 'x'.repeat(16 * 1024 + 1) },
      'invalid_parameter',
      'too_large',
    ],
  ])('%j → %s (%s)', (query, errorCode, cause) => {
    const [problem] = judge(query).problems;
    expect(problem.errorCode).toBe(errorCode);
    expect(problem.errorDetail.cause).toBe(cause);
  });

  it('puts the first failing check first and names the others in the error', () => {
    const verdict = judge({ 'tracker.event': 'sale', sumdep: 'ten', currency: 'x' });
    expect(verdict.problems.map((p) => p.errorCode)).toEqual([
      'click_id_missing',
      'invalid_amount',
      'invalid_currency',
    ]);
    const error = describeProblems(verdict.problems);
    expect(error).toMatch(
      /^click id missing.*also: invalid amount: parameter 'sumdep' holds 'ten'.*invalid currency/,
    );
  });

  it('lets withdrawals be negative and never checks a reversal amount', () => {
    expect(judge({ 'tracker.event': 'withdraw', click_id: ID, sumdep: '-5' }).amount).toBe('-5');
    const reversal = judge({
      'tracker.event': 'sale',
      click_id: ID,
      sumdep: '-5',
      status: 'refund',
    });
    expect(reversal.problems).toEqual([]);
    expect(reversal.reading.isReversal).toBe(true);
  });

  it('quotes values with stray spaces inside', () => {
    const [problem] = judge({ 'tracker.event': 'sale', click_id: ID, sumdep: '5 0' }).problems;
    expect(problem.error).toContain("'5 0'");
  });
});

describe('readRecordedRoles (what the ingress records)', () => {
  it.each([
    [{ 'tracker.event': ' resale ', click_id: ` ${ID}\n` }, 'resale', ID],
    [{ 'tracker.event': 'resale', click_id: '{click_id}' }, 'resale', '{click_id}'],
    [{ 'tracker.event': '', clickid: '' }, null, null],
    [{ click_id: '{x}', clickid: ID }, null, ID],
  ])('%j → event %j, click id %j', (query, event, clickId) => {
    expect(readRecordedRoles(mergePostbackParams(query, null), settings)).toEqual({
      event,
      clickId,
    });
  });
});

describe('bounded texts', () => {
  it('quotes at most 64 characters and never splits a surrogate pair', () => {
    const [problem] = judge({
      'tracker.event': 'sale',
      click_id: ID,
      sumdep: '😀'.repeat(70),
    }).problems;
    expect(problem.error).toContain(`'${'😀'.repeat(64)}…'`);
  });

  it('carries at most 1,024 characters of a value in errorDetail', () => {
    const [problem] = judge({ 'tracker.event': 'sale', click_id: 'x'.repeat(5000) }).problems;
    expect(problem.errorCode).toBe('click_not_found');
    expect(problem.errorDetail.value).toBe('x'.repeat(1024));
  });
});
