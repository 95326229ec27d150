import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { CLICK_ID_REGEX, ConversionStage } from '@tracker/contracts';
import { DataSource } from 'typeorm';
import { ISO_UTC } from '../projection/attribution.store';
import { ATTRIBUTION_DB, Tables } from '../shared/schema';
import { ClickEventDto, ClickJourneyDto } from './click-journey.dto';

const FUNNEL_ORDER: readonly ConversionStage[] = [
  'registration',
  'email_confirmation',
  'first_deposit',
  'redeposit',
];

interface ClickRecord {
  click_id: string;
  integration_id: string | null;
  link_id: string | null;
  campaign: string | null;
  source: string | null;
  subscriber_id: string | null;
  params: Record<string, string | string[]>;
  created_at: string;
  fields: Record<string, string>;
}

/** A click with its attributed postbacks, as one account sees it. */
/** A reversal of a deposit (a commission's reversal nets out of commissions, not deposits). */
const DEPOSIT_REVERSAL = `(stage = 'reversal' AND reversed_stage IN ('first_deposit', 'redeposit'))`;

@Injectable()
export class ClickJourneyQuery {
  constructor(
    @InjectDataSource(apiDataSourceName(ATTRIBUTION_DB)) private readonly dataSource: DataSource,
  ) {}

  async find(accountId: string, clickId: string): Promise<ClickJourneyDto | null> {
    if (!CLICK_ID_REGEX.test(clickId)) return null;
    const [click]: ClickRecord[] = await this.dataSource.query(
      `SELECT click_id, integration_id, link_id, campaign, source, subscriber_id, params,
              ${ISO_UTC('created_at')} AS created_at, fields
         FROM ${Tables.clicks} WHERE click_id = $1 AND account_id = $2`,
      [clickId, accountId],
    );
    if (!click) return null;
    const events: ClickEventDto[] = await this.dataSource.query(
      `SELECT postback_id AS "postbackId", event, stage, ordinal, amount::text AS amount,
              currency, tid, reverses, ${ISO_UTC('received_at')} AS "receivedAt"
         FROM ${Tables.postbacks}
        WHERE click_id = $1 AND account_id = $2 AND status = 'attributed'
        ORDER BY received_at, postback_id`,
      [clickId, accountId],
    );
    // Summed in SQL NUMERIC: exact decimals, never floats. Deposits as recorded (SPEC section 5:
    // a reversal leaves the click's totals alone); the deposits' reversals apart, shown positive,
    // and the net, as the funnel has them.
    const sums: Array<{
      currency: string;
      total: string | null;
      reversed: string | null;
      net: string | null;
    }> = await this.dataSource.query(
      `SELECT coalesce(currency, 'XXX') AS currency,
              sum(amount) FILTER (WHERE ordinal IS NOT NULL)::text AS total,
              (-sum(amount) FILTER (WHERE ${DEPOSIT_REVERSAL}))::text AS reversed,
              sum(amount) FILTER (WHERE ordinal IS NOT NULL OR ${DEPOSIT_REVERSAL})::text AS net
         FROM ${Tables.postbacks}
        WHERE click_id = $1 AND account_id = $2 AND status = 'attributed'
          AND amount IS NOT NULL AND (ordinal IS NOT NULL OR ${DEPOSIT_REVERSAL})
        GROUP BY 1 ORDER BY 1`,
      [clickId, accountId],
    );
    const perCurrency = (pick: (row: (typeof sums)[number]) => string | null) =>
      Object.fromEntries(
        sums.flatMap((row) => (pick(row) === null ? [] : [[row.currency, pick(row)]])),
      ) as Record<string, string>;
    const reached = new Set(events.map((e) => e.stage));
    const stage = [...FUNNEL_ORDER].reverse().find((s) => reached.has(s)) ?? null;
    return {
      clickId: click.click_id,
      integrationId: click.integration_id,
      linkId: click.link_id,
      campaign: click.campaign,
      source: click.source,
      subscriberId: click.subscriber_id,
      params: click.params,
      createdAt: click.created_at,
      stage,
      fields: click.fields,
      events,
      totals: {
        deposits: events.filter((e) => e.ordinal !== null).length,
        depositAmount: perCurrency((row) => row.total),
        reversals: events.filter((e) => e.stage === 'reversal').length,
        reversedAmount: perCurrency((row) => row.reversed),
        netDepositAmount: perCurrency((row) => row.net),
      },
    };
  }
}
