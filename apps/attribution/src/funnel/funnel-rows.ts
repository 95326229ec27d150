/**
 * Pure rules of the funnel's rows (SPEC section 4, Funnel): which campaigns get a row of their
 * own, and the order rows are answered in.
 */

/** At most this many campaign rows; the rest is summed into one `other` row. */
export const CAMPAIGN_ROW_LIMIT = 1000;

/** A campaign with its clicks in the period, as ranked by SQL (most clicks first). */
export interface RankedCampaign {
  key: string | null;
  clicks: number;
}

/** The campaigns that keep a row of their own when there are too many; null when none is cut. */
export interface CampaignCut {
  /** Campaign values kept (non-null). */
  keys: string[];
  /** Whether the "no campaign" group (null key) is among the kept rows. */
  keepsNoCampaign: boolean;
}

/**
 * Given campaigns ranked most clicks first (at most `limit + 1` of them: one more than fits tells
 * that rows are cut), answers which to keep, or null when all fit.
 */
export function cutCampaigns(
  ranked: RankedCampaign[],
  limit = CAMPAIGN_ROW_LIMIT,
): CampaignCut | null {
  if (ranked.length <= limit) return null;
  const kept = ranked.slice(0, limit);
  return {
    keys: kept.flatMap((row) => (row.key === null ? [] : [row.key])),
    keepsNoCampaign: kept.some((row) => row.key === null),
  };
}

interface OrderableRow {
  key: string | null;
  clicks: number;
  other?: boolean;
}

function byKey(a: OrderableRow, b: OrderableRow): number {
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}

/**
 * Answer order: campaigns by most clicks first (then by key, "no campaign" last), every other
 * grouping by key; the `other` row is always last.
 */
export function orderFunnelRows<T extends OrderableRow>(rows: T[], byClicks: boolean): T[] {
  return [...rows].sort((a, b) => {
    if (Boolean(a.other) !== Boolean(b.other)) return a.other ? 1 : -1;
    if (byClicks && a.clicks !== b.clicks) return b.clicks - a.clicks;
    return byKey(a, b);
  });
}
