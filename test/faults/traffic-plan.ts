/**
 * The postbacks a faults run sends, planned up front from the seed, and what each must end as
 * once it reached the tracker (SPEC section 5). Pocket Option RevShare [v2] over many clicks:
 * a registration first, then deposits (`sale` the first time, `resale` after) each with its own
 * tid, with some repeated registrations, email confirmations, postbacks of a click that was
 * never made and deposits with an invalid amount. Every postback carries `n=<seq>`, the marker
 * the checks find it by in the log.
 */
import { SeededRandom } from './seeded-random';

export type PlannedKind =
  'registration' | 'emailconf' | 'sale' | 'resale' | 'unknown-click' | 'invalid-amount';

export interface PlannedPostback {
  seq: number;
  kind: PlannedKind;
  clickId: string;
  /** Path and query, e.g. `/api/postbacks/<id>/tracker-postback?tracker.event=sale&…`. */
  path: string;
  /** For deposits: the amount in cents (sent as `sumdep=12.34`); else null. */
  amountCents: number | null;
}

export const DEPOSIT_KINDS: ReadonlySet<PlannedKind> = new Set(['sale', 'resale']);

/** Share of each kind that does not follow a click's own sequence. */
const SHARE = {
  unknownClick: 0.02,
  invalidAmount: 0.02,
  repeatRegistration: 0.03,
  emailconf: 0.03,
};

/** Plans `count` postbacks to `integrationId` over `clicks` (ids made through the API). */
export function planTraffic(
  random: SeededRandom,
  integrationId: string,
  clicks: readonly string[],
  count: number,
): PlannedPostback[] {
  const base = `/api/postbacks/${integrationId}/tracker-postback?tracker.event=`;
  const used = new Set<string>();
  const deposited = new Set<string>();
  const plan: PlannedPostback[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const roll = random.fraction();
    let clickId = random.pick(clicks);
    let kind: PlannedKind;
    if (roll < SHARE.unknownClick) {
      // A valid click id the tracker never issued (62^14 ids: never one of ours).
      clickId = `Zz${random.alphanumeric(12)}`;
      kind = 'unknown-click';
    } else if (roll < SHARE.unknownClick + SHARE.invalidAmount) {
      kind = 'invalid-amount';
    } else if (!used.has(clickId)) {
      kind = 'registration';
    } else {
      const next = random.fraction();
      if (next < SHARE.repeatRegistration) kind = 'registration';
      else if (next < SHARE.repeatRegistration + SHARE.emailconf) kind = 'emailconf';
      else {
        kind = deposited.has(clickId) ? 'resale' : 'sale';
        deposited.add(clickId);
      }
    }
    if (kind !== 'unknown-click') used.add(clickId);
    const amountCents = DEPOSIT_KINDS.has(kind) ? random.int(100, 50_000) : null;
    const event = kind === 'unknown-click' ? 'registration' : kind;
    let query = `${kind === 'invalid-amount' ? 'resale' : event}&click_id=${clickId}&n=${seq}`;
    if (amountCents !== null) {
      query += `&sumdep=${(amountCents / 100).toFixed(2)}&tracker.tid=T${seq}`;
      query += `&trader_id=${random.int(10_000_000, 99_999_999)}`;
    }
    if (kind === 'invalid-amount') query += `&sumdep=12,5&tracker.tid=T${seq}`;
    plan.push({ seq, kind, clickId, path: `${base}${query}`, amountCents });
  }
  return plan;
}
