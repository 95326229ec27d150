/**
 * What a faults run must end with (issue 14, SPEC sections 5 and 9), compared with the model the
 * traffic plan gives: a postback "landed" when the log holds it; every acknowledged one must
 * have landed exactly once, an unacknowledged one at most once; each landed one ends with the
 * status its kind gives; per click, deposits carry ordinals 1..n; one ConversionRecorded per
 * attributed postback; the funnel's totals equal those computed from the log.
 */
import { Answer } from './fixed-rate-load';
import { LogRow } from './log-reader';
import { DEPOSIT_KINDS, PlannedPostback } from './traffic-plan';

export interface CheckResult {
  name: string;
  /** How many things were compared. */
  checked: number;
  differences: number;
  /** A few of the differences, for the report. */
  examples: string[];
  /** Informational rows (shown, never failing the run). */
  info?: boolean;
}

/** One ConversionRecorded as read back from `tracker.conversions.v1`. */
export interface RecordedConversion {
  eventId: string;
  postbackId: string;
  clickId: string;
  stage: string;
  ordinal: number | null;
}

/** The totals row of `GET /api/funnel` (groupBy none). */
export interface FunnelTotals {
  clicks: number;
  registrations: number;
  emailConfirmations: number;
  firstDeposits: number;
  redeposits: number;
  uniqueRedepositors: number;
  depositAmount: Record<string, string>;
}

export interface RunOutcome {
  plan: readonly PlannedPostback[];
  answers: ReadonlyArray<Answer | undefined>;
  rows: readonly LogRow[];
  conversions: readonly RecordedConversion[];
  /** Records read from the topic, copies of one event id included. */
  conversionRecords: number;
  funnel: FunnelTotals;
  clicks: number;
}

const EXAMPLES = 5;

class Check implements CheckResult {
  checked = 0;
  differences = 0;
  examples: string[] = [];

  constructor(
    readonly name: string,
    readonly info = false,
  ) {}

  expect(ok: boolean, describe: () => string): void {
    this.checked += 1;
    if (ok) return;
    this.differences += 1;
    if (this.examples.length < EXAMPLES) this.examples.push(describe());
  }
}

export function checkRun(run: RunOutcome): CheckResult[] {
  const bySeq = new Map<number, LogRow[]>();
  const unmarked: LogRow[] = [];
  for (const row of run.rows) {
    if (row.seq === null || row.seq < 1 || row.seq > run.plan.length) unmarked.push(row);
    else bySeq.set(row.seq, [...(bySeq.get(row.seq) ?? []), row]);
  }
  const landed = run.plan.filter((p) => (bySeq.get(p.seq)?.length ?? 0) > 0);
  const rowOf = (p: PlannedPostback) => bySeq.get(p.seq)![0];

  const acked = new Check('acknowledged: in the log exactly once, same id');
  const unacked = new Check('unacknowledged: in the log at most once');
  const unackedLanded = new Check('unacknowledged that reached the log anyway', true);
  for (const p of run.plan) {
    const answer = run.answers[p.seq];
    const found = bySeq.get(p.seq) ?? [];
    if (answer?.id) {
      acked.expect(
        found.length === 1 && found[0].id === answer.id,
        () =>
          `n=${p.seq} (${p.kind}, acked ${answer.id} at ${fmtS(answer.answeredAt)}): ` +
          `${found.length} rows ${found.map((row) => row.id).join(' ')}`,
      );
    } else {
      unacked.expect(found.length <= 1, () => `n=${p.seq} (${p.kind}): ${found.length} rows`);
      unackedLanded.expect(found.length === 0, () => `n=${p.seq}`);
    }
  }
  const stray = new Check('log rows not sent by the run (no or unknown marker)');
  stray.checked = run.rows.length;
  for (const row of unmarked) {
    stray.expect(false, () => `${row.id} ${row.status} click ${row.clickId}`);
  }
  stray.checked = run.rows.length;

  const final = new Check('final: no postback left in received');
  for (const row of run.rows) {
    final.expect(row.status !== 'received', () => `${row.id} (n=${row.seq})`);
  }

  const statuses = checkStatuses(landed, rowOf);
  const ordinals = checkOrdinals(
    'per click: deposit ordinals 1..n in the log',
    landed,
    (p) => rowOf(p).conversion?.ordinal ?? null,
  );
  const attributedIds = new Set(
    landed.filter((p) => rowOf(p).status === 'attributed').map((p) => rowOf(p).id),
  );
  const topic = checkConversionEvents(run, attributedIds);
  const byPostback = new Map(run.conversions.map((c) => [c.postbackId, c]));
  const topicOrdinals = checkOrdinals(
    'per click: deposit ordinals 1..n in ConversionRecorded',
    landed,
    (p) => byPostback.get(rowOf(p).id)?.ordinal ?? null,
  );
  const funnel = checkFunnel(run, landed, rowOf);
  return [
    acked,
    unacked,
    unackedLanded,
    stray,
    final,
    statuses,
    ordinals,
    ...topic,
    topicOrdinals,
    funnel,
  ];
}

/** Registrations and confirmations: one attributed per click, the rest duplicates. */
function checkStatuses(
  landed: readonly PlannedPostback[],
  rowOf: (p: PlannedPostback) => LogRow,
): Check {
  const check = new Check('status as the model gives it');
  const oncePerClick = new Map<string, PlannedPostback[]>();
  for (const p of landed) {
    const row = rowOf(p);
    const got = `${row.status}/${row.errorCode ?? '-'}/${row.conversion?.stage ?? '-'}`;
    const say = (want: string) => () =>
      `n=${p.seq} ${p.kind} click ${p.clickId}: ${got}, want ${want}`;
    switch (p.kind) {
      case 'unknown-click':
        check.expect(row.status === 'unmatched', say('unmatched'));
        break;
      case 'invalid-amount':
        check.expect(
          row.status === 'rejected' && row.errorCode === 'invalid_amount',
          say('rejected/invalid_amount'),
        );
        break;
      case 'sale':
      case 'resale':
        check.expect(
          row.status === 'attributed' &&
            ['first_deposit', 'redeposit'].includes(row.conversion?.stage ?? ''),
          say('attributed deposit'),
        );
        break;
      default: {
        const key = `${p.kind} ${p.clickId}`;
        oncePerClick.set(key, [...(oncePerClick.get(key) ?? []), p]);
      }
    }
  }
  for (const [key, group] of oncePerClick) {
    const attributed = group.filter((p) => rowOf(p).status === 'attributed');
    const duplicates = group.filter(
      (p) => rowOf(p).status === 'duplicate' && rowOf(p).errorCode === 'duplicate',
    );
    check.expect(
      attributed.length === 1 && duplicates.length === group.length - 1,
      () =>
        `${key}: ${group.length} landed, ${attributed.length} attributed, ` +
        `${duplicates.length} duplicate`,
    );
  }
  return check;
}

/** Per click, the landed deposits' ordinals are exactly 1..n. */
function checkOrdinals(
  name: string,
  landed: readonly PlannedPostback[],
  ordinalOf: (p: PlannedPostback) => number | null,
): Check {
  const check = new Check(name);
  const perClick = new Map<string, Array<number | null>>();
  for (const p of landed) {
    if (!DEPOSIT_KINDS.has(p.kind)) continue;
    perClick.set(p.clickId, [...(perClick.get(p.clickId) ?? []), ordinalOf(p)]);
  }
  for (const [clickId, ordinals] of perClick) {
    const sorted = [...ordinals].sort((a, b) => (a ?? 0) - (b ?? 0));
    check.expect(
      sorted.every((ordinal, i) => ordinal === i + 1),
      () => `click ${clickId}: ${ordinals.length} deposits, ordinals ${summarize(sorted)}`,
    );
  }
  return check;
}

function checkConversionEvents(run: RunOutcome, attributedIds: ReadonlySet<string>): Check[] {
  const once = new Check('one ConversionRecorded per attributed postback');
  const eventIds = new Map<string, Set<string>>();
  for (const c of run.conversions) {
    eventIds.set(c.postbackId, (eventIds.get(c.postbackId) ?? new Set()).add(c.eventId));
  }
  for (const id of attributedIds) {
    const count = eventIds.get(id)?.size ?? 0;
    once.expect(count === 1, () => `postback ${id}: ${count} ConversionRecorded`);
  }
  for (const [postbackId, ids] of eventIds) {
    if (attributedIds.has(postbackId)) continue;
    once.expect(false, () => `postback ${postbackId} is not attributed in the log: ${ids.size}`);
  }
  const copies = new Check('ConversionRecorded copies of one event id on the topic', true);
  const distinct = new Set(run.conversions.map((c) => c.eventId)).size;
  copies.checked = run.conversionRecords;
  copies.differences = run.conversionRecords - distinct;
  return [once, copies];
}

/** The funnel's totals against the same totals computed from the log's attributed rows. */
function checkFunnel(
  run: RunOutcome,
  landed: readonly PlannedPostback[],
  rowOf: (p: PlannedPostback) => LogRow,
): Check {
  const check = new Check('funnel totals = totals computed from the log');
  const clicksWith = (stage: string) =>
    new Set(
      landed
        .filter((p) => rowOf(p).status === 'attributed' && rowOf(p).conversion?.stage === stage)
        .map((p) => p.clickId),
    ).size;
  const deposits = landed.filter(
    (p) => rowOf(p).status === 'attributed' && DEPOSIT_KINDS.has(p.kind),
  );
  const redeposits = deposits.filter((p) => rowOf(p).conversion?.stage === 'redeposit');
  const amount = deposits.reduce((sum, p) => sum + cents(rowOf(p).conversion?.amount ?? '0'), 0n);
  const expected: Record<string, string> = {
    clicks: String(run.clicks),
    registrations: String(clicksWith('registration')),
    emailConfirmations: String(clicksWith('email_confirmation')),
    firstDeposits: String(clicksWith('first_deposit')),
    redeposits: String(redeposits.length),
    uniqueRedepositors: String(new Set(redeposits.map((p) => p.clickId)).size),
    'depositAmount.USD (cents)': String(amount),
  };
  const got: Record<string, string> = {
    clicks: String(run.funnel.clicks),
    registrations: String(run.funnel.registrations),
    emailConfirmations: String(run.funnel.emailConfirmations),
    firstDeposits: String(run.funnel.firstDeposits),
    redeposits: String(run.funnel.redeposits),
    uniqueRedepositors: String(run.funnel.uniqueRedepositors),
    'depositAmount.USD (cents)': String(cents(run.funnel.depositAmount.USD ?? '0')),
  };
  for (const key of Object.keys(expected)) {
    check.expect(
      expected[key] === got[key],
      () => `${key}: funnel ${got[key]}, log ${expected[key]}`,
    );
  }
  return check;
}

/** A decimal string (`123.4`, `-5`) as an exact count of cents. */
export function cents(decimal: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a decimal: '${decimal}'`);
  const fraction = (match[3] ?? '').padEnd(2, '0');
  if (/[1-9]/.test(fraction.slice(2))) throw new Error(`finer than a cent: '${decimal}'`);
  const value = BigInt(match[2]) * 100n + BigInt(fraction.slice(0, 2));
  return match[1] ? -value : value;
}

function summarize(ordinals: ReadonlyArray<number | null>): string {
  const text = ordinals.map((o) => (o === null ? 'null' : String(o))).join(',');
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

const fmtS = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
