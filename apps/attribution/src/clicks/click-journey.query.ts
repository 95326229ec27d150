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
    // Summed in SQL NUMERIC: exact decimals, never floats.
    const sums: Array<{ currency: string; total: string }> = await this.dataSource.query(
      `SELECT coalesce(currency, 'XXX') AS currency, sum(amount)::text AS total
         FROM ${Tables.postbacks}
        WHERE click_id = $1 AND account_id = $2 AND status = 'attributed'
          AND ordinal IS NOT NULL AND amount IS NOT NULL
        GROUP BY 1 ORDER BY 1`,
      [clickId, accountId],
    );
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
        depositAmount: Object.fromEntries(sums.map((s) => [s.currency, s.total])),
      },
    };
  }
}
