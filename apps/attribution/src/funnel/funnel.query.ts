import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { DataSource } from 'typeorm';
import { ATTRIBUTION_DB, Tables } from '../shared/schema';
import { FunnelDto, FunnelGrouping, FunnelQueryDto, FunnelRowDto } from './funnel.dto';
import { CAMPAIGN_ROW_LIMIT, CampaignCut, cutCampaigns, orderFunnelRows } from './funnel-rows';
import { readBound } from './zoned-period';

interface Period {
  from: Date | null;
  to: Date | null;
}

/**
 * The period's bounds as instants, `from` inclusive and `to` exclusive (SPEC section 4, Funnel).
 * Plain dates (midnight) and offset-less date-times are read in `tz` (default UTC), so
 * `from=2026-11-01&to=2026-11-02` is exactly 1 November in `tz`.
 */
export function periodOf(query: Pick<FunnelQueryDto, 'from' | 'to' | 'tz'>): Period {
  const tz = query.tz ?? 'UTC';
  const from = query.from ? readBound(query.from, tz) : null;
  const to = query.to ? readBound(query.to, tz) : null;
  return { from, to };
}

/** `zone`: the SQL placeholder holding the IANA zone days are cut in. */
function keyOf(grouping: FunnelGrouping, time: string, integration: string, zone: string): string {
  switch (grouping) {
    case 'none':
      return 'NULL::text';
    case 'day':
      return `to_char(${time} AT TIME ZONE ${zone}::text, 'YYYY-MM-DD')`;
    case 'campaign':
      return 'c.campaign';
    case 'integration':
      return integration;
  }
}

function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Number((numerator / denominator).toFixed(4));
}

/** A group as SQL answers it: its key, or the `other` row of the campaigns past the limit. */
interface Grouped {
  key: string | null;
  other: boolean;
}

interface ConversionCounts extends Grouped {
  registrations: number;
  email_confirmations: number;
  first_deposits: number;
  redeposits: number;
  unique_redepositors: number;
  withdrawals: number;
  reversals: number;
}

/** Funnel counts per group, computed in SQL over one account's data only. */
@Injectable()
export class FunnelQuery {
  constructor(
    @InjectDataSource(apiDataSourceName(ATTRIBUTION_DB)) private readonly dataSource: DataSource,
  ) {}

  async run(accountId: string, query: FunnelQueryDto): Promise<FunnelDto> {
    const grouping = query.groupBy ?? 'none';
    const { from, to } = periodOf(query);

    const clickParams: unknown[] = [accountId];
    const clickWhere = ['c.account_id = $1'];
    const convParams: unknown[] = [accountId];
    const convWhere = [`p.account_id = $1`, `p.status = 'attributed'`];
    const add = (where: string[], params: unknown[], sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.integrationId !== undefined) {
      add(clickWhere, clickParams, 'c.integration_id = ?', query.integrationId);
      add(convWhere, convParams, 'p.integration_id = ?', query.integrationId);
    }
    if (query.campaign !== undefined) {
      add(clickWhere, clickParams, 'c.campaign = ?', query.campaign);
      add(convWhere, convParams, 'c.campaign = ?', query.campaign);
    }
    if (from) {
      add(clickWhere, clickParams, 'c.created_at >= ?', from);
      add(convWhere, convParams, 'p.received_at >= ?', from);
    }
    if (to) {
      add(clickWhere, clickParams, 'c.created_at < ?', to);
      add(convWhere, convParams, 'p.received_at < ?', to);
    }
    // The zone goes in as a bound parameter, only where a day key reads it.
    const zone = (params: unknown[]) => {
      if (grouping !== 'day') return '';
      params.push(query.tz ?? 'UTC');
      return `$${params.length}`;
    };
    const clickKey = keyOf(grouping, 'c.created_at', 'c.integration_id', zone(clickParams));
    const convKey = keyOf(grouping, 'p.received_at', 'p.integration_id', zone(convParams));
    const joinClicks = `${Tables.postbacks} p JOIN ${Tables.clicks} c ON c.click_id = p.click_id`;

    // Campaigns come from the public /r/ query: past the limit, the rest is one `other` row,
    // bucketed in SQL so no more than limit + 1 groups ever reach this process.
    const cut =
      grouping === 'campaign'
        ? await this.campaignCut(
            `${Tables.clicks} c WHERE ${clickWhere.join(' AND ')}`,
            `${joinClicks} WHERE ${convWhere.join(' AND ')}`,
            clickParams,
          )
        : null;
    const bucket = (params: unknown[]) => {
      if (!cut) return { join: '', key: '', other: 'false' };
      params.push(cut.keys, cut.keepsNoCampaign);
      const [keys, keepsNone] = [`$${params.length - 1}`, `$${params.length}`];
      const kept = `(t.key IS NOT NULL OR (c.campaign IS NULL AND ${keepsNone}::boolean))`;
      return {
        join: `LEFT JOIN unnest(${keys}::text[]) AS t(key) ON t.key = c.campaign`,
        key: `CASE WHEN ${kept} THEN c.campaign END`,
        other: `NOT ${kept}`,
      };
    };
    const clickBucket = bucket(clickParams);
    const convBucket = bucket(convParams);
    const clickGroup = `${clickBucket.key || clickKey} AS key, ${clickBucket.other} AS other`;
    const convGroup = `${convBucket.key || convKey} AS key, ${convBucket.other} AS other`;
    const conversions = `${joinClicks} ${convBucket.join} WHERE ${convWhere.join(' AND ')}`;

    const [clicks, counts, amounts] = await Promise.all([
      this.dataSource.query(
        `SELECT ${clickGroup}, count(*)::int AS clicks FROM ${Tables.clicks} c ${clickBucket.join}
          WHERE ${clickWhere.join(' AND ')} GROUP BY 1, 2`,
        clickParams,
      ) as Promise<Array<Grouped & { clicks: number }>>,
      this.dataSource.query(
        `SELECT ${convGroup},
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'registration')::int AS registrations,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'email_confirmation')::int
             AS email_confirmations,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'first_deposit')::int AS first_deposits,
           count(*) FILTER (WHERE p.stage = 'redeposit')::int AS redeposits,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'redeposit')::int AS unique_redepositors,
           count(*) FILTER (WHERE p.stage = 'withdrawal')::int AS withdrawals,
           count(*) FILTER (WHERE p.stage = 'reversal')::int AS reversals
         FROM ${conversions} GROUP BY 1, 2`,
        convParams,
      ) as Promise<ConversionCounts[]>,
      // Exact decimal sums: NUMERIC in SQL, text out. A reversal carries the reversed amount
      // negated: it nets out of commissions and deposits; `reversed` shows it positive.
      this.dataSource.query(
        `WITH amounts AS (
           SELECT ${convGroup},
                  CASE WHEN p.stage = 'commission' OR p.reversed_stage = 'commission' THEN 'commission'
                       WHEN p.stage = 'reversal' THEN 'reversed' ELSE 'deposit' END AS kind,
                  coalesce(p.currency, 'XXX') AS currency, p.amount
             FROM ${conversions}
              AND p.amount IS NOT NULL
              AND (p.stage IN ('first_deposit', 'redeposit', 'commission')
                   OR p.reversed_stage IN ('first_deposit', 'redeposit', 'commission')))
         SELECT key, other, kind, currency,
                (CASE WHEN kind = 'reversed' THEN -sum(amount) ELSE sum(amount) END)::text AS total
           FROM amounts GROUP BY 1, 2, 3, 4
         UNION ALL
         SELECT key, other, 'net', currency, sum(amount)::text
           FROM amounts WHERE kind IN ('deposit', 'reversed') GROUP BY 1, 2, 4
         ORDER BY 4`,
        convParams,
      ) as Promise<Array<Grouped & { kind: string; currency: string; total: string }>>,
    ]);

    const rows = new Map<string | null, FunnelRowDto>();
    let otherRow: FunnelRowDto | null = null;
    const row = ({ key, other }: Grouped): FunnelRowDto => {
      const found = other ? otherRow : rows.get(key);
      if (found) return found;
      const created: FunnelRowDto = {
        key: other ? null : key,
        ...(other ? { other: true } : {}),
        clicks: 0,
        registrations: 0,
        emailConfirmations: 0,
        firstDeposits: 0,
        redeposits: 0,
        uniqueRedepositors: 0,
        withdrawals: 0,
        depositAmount: {},
        commissionAmount: {},
        reversals: 0,
        reversedAmount: {},
        netDepositAmount: {},
        click2reg: null,
        reg2fd: null,
        fd2rd: null,
      };
      if (other) otherRow = created;
      else rows.set(key, created);
      return created;
    };
    if (grouping === 'none') row({ key: null, other: false });
    for (const c of clicks) row(c).clicks = c.clicks;
    for (const c of counts) {
      Object.assign(row(c), {
        registrations: c.registrations,
        emailConfirmations: c.email_confirmations,
        firstDeposits: c.first_deposits,
        redeposits: c.redeposits,
        uniqueRedepositors: c.unique_redepositors,
        withdrawals: c.withdrawals,
        reversals: c.reversals,
      });
    }
    for (const a of amounts) {
      const target = row(a);
      const sums = {
        commission: target.commissionAmount,
        deposit: target.depositAmount,
        reversed: target.reversedAmount,
        net: target.netDepositAmount,
      }[a.kind as 'commission' | 'deposit' | 'reversed' | 'net'];
      sums[a.currency] = a.total;
    }
    const all = otherRow ? [...rows.values(), otherRow] : [...rows.values()];
    const result = orderFunnelRows(all, grouping === 'campaign');
    for (const r of result) {
      r.click2reg = rate(r.registrations, r.clicks);
      r.reg2fd = rate(r.firstDeposits, r.registrations);
      r.fd2rd = rate(r.uniqueRedepositors, r.firstDeposits);
    }
    return { rows: result };
  }

  /**
   * Ranks the period's campaigns (those with clicks or conversions) by clicks, most first, and
   * answers which keep a row of their own, or null when all fit. `clicks` and `conversions` are
   * FROM…WHERE clauses over the same parameters (both filters bind the same values in order).
   */
  private async campaignCut(
    clicks: string,
    conversions: string,
    params: unknown[],
  ): Promise<CampaignCut | null> {
    const ranked: Array<{ key: string | null; clicks: number }> = await this.dataSource.query(
      `SELECT key, sum(clicks)::int AS clicks FROM (
         SELECT c.campaign AS key, count(*) AS clicks FROM ${clicks} GROUP BY 1
         UNION ALL
         SELECT DISTINCT c.campaign, 0 FROM ${conversions}
       ) campaigns GROUP BY key ORDER BY 2 DESC, key COLLATE "C" NULLS LAST LIMIT ${CAMPAIGN_ROW_LIMIT + 1}`,
      params,
    );
    return cutCampaigns(ranked);
  }
}
