import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { DataSource } from 'typeorm';
import { ATTRIBUTION_DB, Tables } from '../shared/schema';
import { FunnelDto, FunnelGrouping, FunnelQueryDto, FunnelRowDto } from './funnel.dto';
import { isPlainDate, nextDate, readBound } from './zoned-period';

const TOTAL_KEY = 'total';

interface Period {
  from: Date | null;
  to: Date | null;
}

/**
 * The period's bounds as instants. Plain dates and offset-less date-times are read in `tz`
 * (default UTC); a plain date as `to` means "through that day": the bound is the next midnight.
 */
export function periodOf(query: Pick<FunnelQueryDto, 'from' | 'to' | 'tz'>): Period {
  const tz = query.tz ?? 'UTC';
  const from = query.from ? readBound(query.from, tz) : null;
  const to = query.to ? readBound(isPlainDate(query.to) ? nextDate(query.to) : query.to, tz) : null;
  return { from, to };
}

/** `zone`: the SQL placeholder holding the IANA zone days are cut in. */
function keyOf(grouping: FunnelGrouping, time: string, integration: string, zone: string): string {
  switch (grouping) {
    case 'none':
      return `'${TOTAL_KEY}'::text`;
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

interface ConversionCounts {
  key: string | null;
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
    const conversions = `${Tables.postbacks} p JOIN ${Tables.clicks} c ON c.click_id = p.click_id
      WHERE ${convWhere.join(' AND ')}`;

    const [clicks, counts, amounts] = await Promise.all([
      this.dataSource.query(
        `SELECT ${clickKey} AS key, count(*)::int AS clicks FROM ${Tables.clicks} c
          WHERE ${clickWhere.join(' AND ')} GROUP BY 1`,
        clickParams,
      ) as Promise<Array<{ key: string | null; clicks: number }>>,
      this.dataSource.query(
        `SELECT ${convKey} AS key,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'registration')::int AS registrations,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'email_confirmation')::int
             AS email_confirmations,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'first_deposit')::int AS first_deposits,
           count(*) FILTER (WHERE p.stage = 'redeposit')::int AS redeposits,
           count(DISTINCT p.click_id) FILTER (WHERE p.stage = 'redeposit')::int AS unique_redepositors,
           count(*) FILTER (WHERE p.stage = 'withdrawal')::int AS withdrawals,
           count(*) FILTER (WHERE p.stage = 'reversal')::int AS reversals
         FROM ${conversions} GROUP BY 1`,
        convParams,
      ) as Promise<ConversionCounts[]>,
      // Exact decimal sums: NUMERIC in SQL, text out. A reversal carries the reversed amount
      // negated: it nets out of commissions and deposits; `reversed` shows it positive.
      this.dataSource.query(
        `WITH amounts AS (
           SELECT ${convKey} AS key,
                  CASE WHEN p.stage = 'commission' OR p.reversed_stage = 'commission' THEN 'commission'
                       WHEN p.stage = 'reversal' THEN 'reversed' ELSE 'deposit' END AS kind,
                  coalesce(p.currency, 'XXX') AS currency, p.amount
             FROM ${conversions}
              AND p.amount IS NOT NULL
              AND (p.stage IN ('first_deposit', 'redeposit', 'commission')
                   OR p.reversed_stage IN ('first_deposit', 'redeposit', 'commission')))
         SELECT key, kind, currency,
                (CASE WHEN kind = 'reversed' THEN -sum(amount) ELSE sum(amount) END)::text AS total
           FROM amounts GROUP BY 1, 2, 3
         UNION ALL
         SELECT key, 'net', currency, sum(amount)::text
           FROM amounts WHERE kind IN ('deposit', 'reversed') GROUP BY 1, 3
         ORDER BY 3`,
        convParams,
      ) as Promise<Array<{ key: string | null; kind: string; currency: string; total: string }>>,
    ]);

    const rows = new Map<string | null, FunnelRowDto>();
    const row = (key: string | null): FunnelRowDto => {
      let found = rows.get(key);
      if (!found) {
        found = {
          key,
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
        rows.set(key, found);
      }
      return found;
    };
    if (grouping === 'none') row(TOTAL_KEY);
    for (const c of clicks) row(c.key).clicks = c.clicks;
    for (const c of counts) {
      Object.assign(row(c.key), {
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
      const target = row(a.key);
      const sums = {
        commission: target.commissionAmount,
        deposit: target.depositAmount,
        reversed: target.reversedAmount,
        net: target.netDepositAmount,
      }[a.kind as 'commission' | 'deposit' | 'reversed' | 'net'];
      sums[a.currency] = a.total;
    }
    const result = [...rows.values()].sort((a, b) =>
      a.key === b.key ? 0 : a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : 1,
    );
    for (const r of result) {
      r.click2reg = rate(r.registrations, r.clicks);
      r.reg2fd = rate(r.firstDeposits, r.registrations);
      r.fd2rd = rate(r.uniqueRedepositors, r.firstDeposits);
    }
    return { rows: result };
  }
}
