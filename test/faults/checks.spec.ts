/**
 * The faults run's checks must see each kind of difference it exists to find: a lost or doubled
 * acknowledged postback, a wrong status, a gap in a click's ordinals, a missing or extra
 * ConversionRecorded and a funnel that disagrees with the log.
 */
import { checkRun, cents, RecordedConversion, RunOutcome } from './checks';
import { Answer } from './fixed-rate-load';
import { LogRow } from './log-reader';
import { SeededRandom } from './seeded-random';
import { planTraffic } from './traffic-plan';

const CLICKS = ['Click0000001', 'Click0000002', 'Click0000003'];

/** A run where every postback was acknowledged and ended as the model says. */
function cleanRun(): RunOutcome {
  const plan = planTraffic(new SeededRandom(3), 'integration', CLICKS, 60);
  const answers: Array<Answer | undefined> = [];
  const rows: LogRow[] = [];
  const deposits = new Map<string, number>();
  const once = new Set<string>();
  const conversions: RecordedConversion[] = [];
  let amount = 0n;
  for (const p of plan) {
    const id = `postback-${p.seq}`;
    answers[p.seq] = { sentAt: p.seq, answeredAt: p.seq + 1, outcome: '200', id };
    let row: LogRow = {
      id,
      seq: p.seq,
      clickId: p.clickId,
      status: '',
      errorCode: null,
      conversion: null,
    };
    if (p.kind === 'unknown-click')
      row = { ...row, status: 'unmatched', errorCode: 'click_not_found' };
    else if (p.kind === 'invalid-amount')
      row = { ...row, status: 'rejected', errorCode: 'invalid_amount' };
    else if (p.kind === 'sale' || p.kind === 'resale') {
      const ordinal = (deposits.get(p.clickId) ?? 0) + 1;
      deposits.set(p.clickId, ordinal);
      const decimal = (p.amountCents! / 100).toFixed(2);
      amount += cents(decimal);
      const stage = ordinal === 1 ? 'first_deposit' : 'redeposit';
      row = { ...row, status: 'attributed', conversion: { stage, ordinal, amount: decimal } };
    } else if (once.has(`${p.kind} ${p.clickId}`)) {
      row = { ...row, status: 'duplicate', errorCode: 'duplicate' };
    } else {
      once.add(`${p.kind} ${p.clickId}`);
      const stage = p.kind === 'registration' ? 'registration' : 'email_confirmation';
      row = { ...row, status: 'attributed', conversion: { stage, ordinal: null, amount: null } };
    }
    rows.push(row);
    if (row.status === 'attributed') {
      conversions.push({
        eventId: `event-${p.seq}`,
        postbackId: id,
        clickId: p.clickId,
        stage: row.conversion!.stage,
        ordinal: row.conversion!.ordinal,
      });
    }
  }
  const clicksWith = (stage: string) =>
    new Set(rows.filter((r) => r.conversion?.stage === stage).map((r) => r.clickId)).size;
  const redeposits = rows.filter((r) => r.conversion?.stage === 'redeposit');
  return {
    plan,
    answers,
    rows,
    conversions,
    conversionRecords: conversions.length,
    funnel: {
      clicks: CLICKS.length,
      registrations: clicksWith('registration'),
      emailConfirmations: clicksWith('email_confirmation'),
      firstDeposits: clicksWith('first_deposit'),
      redeposits: redeposits.length,
      uniqueRedepositors: new Set(redeposits.map((r) => r.clickId)).size,
      depositAmount: { USD: `${amount / 100n}.${String(amount % 100n).padStart(2, '0')}` },
    },
    clicks: CLICKS.length,
  };
}

const differences = (run: RunOutcome) =>
  Object.fromEntries(
    checkRun(run)
      .filter((check) => !check.info && check.differences > 0)
      .map((check) => [check.name, check.differences]),
  );

describe('the faults run checks', () => {
  it('find nothing in a run that ended as the model says', () => {
    const run = cleanRun();
    expect(run.plan.some((p) => p.kind === 'resale')).toBe(true);
    expect(differences(run)).toEqual({});
  });

  it('find a lost and a doubled acknowledged postback', () => {
    const run = cleanRun();
    const deposit = run.rows.findIndex((r) => r.conversion?.stage === 'redeposit');
    const lost = run.rows[deposit];
    const rows = run.rows.filter((r) => r !== lost);
    rows.push({ ...rows[0], id: 'another-id' });
    expect(differences({ ...run, rows })).toMatchObject({
      'acknowledged: in the log exactly once, same id': 2,
    });
  });

  it('find a postback left in received and a wrong status', () => {
    const run = cleanRun();
    const unmatched = run.rows.findIndex((r) => r.status === 'unmatched');
    const rows = run.rows.map((r, i) => (i === unmatched ? { ...r, status: 'received' } : r));
    expect(differences({ ...run, rows })).toMatchObject({
      'final: no postback left in received': 1,
      'status as the model gives it': 1,
    });
  });

  it('find a gap in a click ordinals, in the log and on the topic', () => {
    const run = cleanRun();
    const first = run.rows.find((r) => r.conversion?.ordinal === 1)!;
    const rows = run.rows.map((r) =>
      r === first ? { ...r, conversion: { ...r.conversion!, ordinal: 99 } } : r,
    );
    const conversions = run.conversions.map((c) =>
      c.postbackId === first.id ? { ...c, ordinal: 2 } : c,
    );
    expect(differences({ ...run, rows, conversions })).toMatchObject({
      'per click: deposit ordinals 1..n in the log': 1,
      'per click: deposit ordinals 1..n in ConversionRecorded': 1,
    });
  });

  it('find a missing and a second ConversionRecorded, and counts copies of one event apart', () => {
    const run = cleanRun();
    const [missing, doubled, ...rest] = run.conversions;
    const conversions = [doubled, { ...doubled, eventId: 'other-event' }, ...rest, rest[0]];
    const result = checkRun({ ...run, conversions, conversionRecords: conversions.length });
    expect(
      result.find((c) => c.name === 'one ConversionRecorded per attributed postback'),
    ).toMatchObject({ differences: 2 });
    expect(result.find((c) => c.name.startsWith('ConversionRecorded copies'))).toMatchObject({
      differences: 1,
      info: true,
    });
    expect(missing).toBeDefined();
  });

  it('find a funnel total that differs from the log', () => {
    const run = cleanRun();
    const funnel = { ...run.funnel, redeposits: run.funnel.redeposits + 1 };
    expect(differences({ ...run, funnel })).toEqual({
      'funnel totals = totals computed from the log': 1,
    });
  });

  it('reads decimals as exact cents', () => {
    expect(cents('12.3')).toBe(1230n);
    expect(cents('-0.05')).toBe(-5n);
    expect(cents('25000000.37')).toBe(2500000037n);
    expect(() => cents('1.234')).toThrow('finer than a cent');
  });
});
