import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { conversionRecordedId, ConversionStage } from '@tracker/contracts';
import { decodePageCursor, encodePageCursor } from '@tracker/database';
import { DEFAULT_PAGE_SIZE } from '@tracker/platform';
import { DataSource } from 'typeorm';
import { ISO_UTC } from '../projection/attribution.store';
import { ATTRIBUTION_DB, Tables } from '../shared/schema';
import { ConversionItem, ConversionPage, ListConversionsQuery } from './conversions.dto';

interface ConversionRecord {
  postback_id: string;
  click_id: string;
  integration_id: string;
  event: string;
  stage: ConversionStage;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  campaign: string | null;
  source: string | null;
  reverses: string | null;
  occurred_at: string;
}

/**
 * Keyset pages of one account's conversions (SPEC section 4, Conversions), newest first by
 * (occurredAt, postbackId), with the links between a reversal and what it reversed.
 */
@Injectable()
export class ConversionsQuery {
  constructor(@InjectDataSource(ATTRIBUTION_DB) private readonly dataSource: DataSource) {}

  async page(accountId: string, query: ListConversionsQuery): Promise<ConversionPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const params: unknown[] = [accountId];
    const where = [`p.account_id = $1`, `p.status = 'attributed'`];
    const add = (sql: (placeholder: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.integrationId) add((p) => `p.integration_id = ${p}`, query.integrationId);
    if (query.clickId !== undefined) add((p) => `p.click_id = ${p}`, query.clickId);
    if (query.stage) add((p) => `p.stage = ${p}`, query.stage);
    if (query.campaign !== undefined) add((p) => `c.campaign = ${p}`, query.campaign);
    if (query.from) add((p) => `p.received_at >= ${p}`, new Date(query.from));
    if (query.to) add((p) => `p.received_at < ${p}`, new Date(query.to));
    if (query.cursor) {
      const { at, id } = decodePageCursor(query.cursor);
      params.push(at, id);
      where.push(
        `(p.received_at, p.postback_id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows: ConversionRecord[] = await this.dataSource.query(
      `SELECT p.postback_id, p.click_id, p.integration_id, p.event, p.stage, p.ordinal,
              p.amount::text AS amount, p.currency, p.tid, c.campaign, c.source, p.reverses,
              ${ISO_UTC('p.received_at')} AS occurred_at
         FROM ${Tables.postbacks} p JOIN ${Tables.clicks} c ON c.click_id = p.click_id
        WHERE ${where.join(' AND ')}
        ORDER BY p.received_at DESC, p.postback_id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const ids = page.map((row) => conversionRecordedId(row.postback_id));
    const reversedBy = new Map<string, string>();
    if (ids.length > 0) {
      const reversals: Array<{ postback_id: string; reverses: string }> =
        await this.dataSource.query(
          `SELECT postback_id, reverses FROM ${Tables.postbacks}
            WHERE account_id = $1 AND status = 'attributed' AND reverses = ANY($2::uuid[])`,
          [accountId, ids],
        );
      for (const r of reversals) reversedBy.set(r.reverses, conversionRecordedId(r.postback_id));
    }
    const items: ConversionItem[] = page.map((row, index) => ({
      id: ids[index],
      postbackId: row.postback_id,
      clickId: row.click_id,
      integrationId: row.integration_id,
      event: row.event,
      stage: row.stage,
      ordinal: row.ordinal,
      amount: row.amount,
      currency: row.currency,
      tid: row.tid,
      campaign: row.campaign,
      source: row.source,
      reverses: row.reverses,
      reversedBy: reversedBy.get(ids[index]) ?? null,
      occurredAt: row.occurred_at,
    }));
    const last = page.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodePageCursor({ at: last.occurred_at, id: last.postback_id })
          : null,
    };
  }
}
