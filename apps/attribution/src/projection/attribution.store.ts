import {
  AnyEvent,
  ConversionStage,
  conversionRecordedId,
  ErrorDetail,
  EventKind,
  ParamUse,
  partitionKeyOf,
  topicOf,
} from '@tracker/contracts';
import { EntityManager } from 'typeorm';
import { AttributionTables, Tables } from '../shared/schema';
import { ClickHistory, FIRST_STAGES, RecordedConversion } from '../judgement/click-history';

export interface ClickRow {
  click_id: string;
  event_id: string;
  account_id: string;
  integration_id: string | null;
  link_id: string | null;
  campaign: string | null;
  source: string | null;
  subscriber_id: string | null;
  params: Record<string, string | string[]>;
  user_agent: string | null;
  remote_address: string | null;
  created_at: string;
  fields: Record<string, string>;
  field_times: Record<string, string>;
}

export interface PostbackRow {
  postback_id: string;
  account_id: string;
  integration_id: string;
  click_id: string | null;
  event: string | null;
  kind: EventKind | null;
  status: string;
  error_code: string | null;
  error: string | null;
  error_detail: ErrorDetail | null;
  amount: string | null;
  currency: string | null;
  tid: string | null;
  params_hash: string | null;
  fields: Record<string, string>;
  stage: ConversionStage | null;
  ordinal: number | null;
  /** A reversal's cancelled conversion id, and that conversion's stage. */
  reverses: string | null;
  reversed_stage: ConversionStage | null;
  /** The postback's status made it a reversal (kept for a late click's re-judgement). */
  reversal: boolean;
  params_used_as: Record<string, ParamUse | null> | null;
  click_id_param: string | null;
  tid_param: string | null;
  received_at: string;
  judged_at: string;
}

const CLICK_COLUMNS = `click_id text, event_id uuid, account_id text, integration_id text, link_id text,
  campaign text, source text, subscriber_id text, params jsonb, user_agent text, remote_address text,
  created_at timestamptz, fields jsonb, field_times jsonb`;

const POSTBACK_COLUMNS = `postback_id uuid, account_id text, integration_id text, click_id text, event text,
  kind text, status text, error_code text, error text, amount numeric, currency text, tid text,
  params_hash text, fields jsonb, stage text, ordinal integer, received_at timestamptz,
  judged_at timestamptz, error_detail jsonb, reverses uuid, reversed_stage text, reversal boolean,
  params_used_as jsonb, click_id_param text, tid_param text`;

// Named, never positional: columns added by later migrations sit at the table's end.
const POSTBACK_NAMES = POSTBACK_COLUMNS.split(',')
  .map((column) => column.trim().split(/\s+/)[0])
  .join(', ');

// Timestamps come back as ISO text and amounts as exact decimal text, never JS floats.
const POSTBACK_SELECT = `postback_id, account_id, integration_id, click_id, event, kind, status,
  error_code, error, amount::text AS amount, currency, tid, params_hash, fields, stage, ordinal,
  to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS received_at,
  to_char(judged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS judged_at,
  error_detail, reverses, reversed_stage, reversal, params_used_as, click_id_param, tid_param`;

const CLICK_SELECT = `click_id, event_id, account_id, integration_id, link_id, campaign, source,
  subscriber_id, params, user_agent, remote_address,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  fields, field_times`;

interface ConversionRow {
  postback_id: string;
  click_id: string;
  integration_id: string;
  event: string;
  kind: EventKind;
  tid: string | null;
  params_hash: string;
  stage: ConversionStage;
  ordinal: number | null;
  amount: string | null;
  currency: string | null;
  received_at: Date;
  reverses: string | null;
}

const CONVERSION_SELECT = `postback_id, click_id, integration_id, event, kind, tid, params_hash,
  stage, ordinal, amount::text AS amount, currency, received_at, reverses`;

function toRecordedConversion(row: ConversionRow): RecordedConversion & { clickId: string } {
  return {
    clickId: row.click_id,
    conversionId: conversionRecordedId(row.postback_id),
    integrationId: row.integration_id,
    event: row.event,
    kind: row.kind,
    tid: row.tid,
    paramsHash: row.params_hash,
    stage: row.stage,
    ordinal: row.ordinal,
    amount: row.amount,
    currency: row.currency,
    receivedAt: new Date(row.received_at),
    reverses: row.reverses,
  };
}

export const ISO_UTC = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The projection's SQL: every call runs inside the batch's one transaction. */
export class AttributionStore {
  constructor(
    private readonly manager: EntityManager,
    private readonly tables: AttributionTables = Tables,
    /** A replay writes outcomes subscribers already saw: as published, never relayed again. */
    private readonly outboxPublished = false,
  ) {}

  /**
   * Serialises work on the same clicks across replicas (a click and its postbacks arrive on
   * two topics): locks are taken in one global order, so two batches never deadlock.
   */
  async lockClicks(clickIds: string[]): Promise<void> {
    if (clickIds.length === 0) return;
    await this.manager.query(
      `SELECT pg_advisory_xact_lock(h) FROM (
         SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY 1
       ) AS ordered`,
      [clickIds],
    );
  }

  async processedPostbackIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Array<{ postback_id: string }> = await this.manager.query(
      `SELECT postback_id FROM ${this.tables.postbacks} WHERE postback_id = ANY($1::uuid[])`,
      [ids],
    );
    return new Set(rows.map((row) => row.postback_id));
  }

  async clicks(clickIds: string[]): Promise<ClickRow[]> {
    if (clickIds.length === 0) return [];
    return this.manager.query(
      `SELECT ${CLICK_SELECT} FROM ${this.tables.clicks} WHERE click_id = ANY($1::text[])`,
      [clickIds],
    );
  }

  /** Every attributed conversion of these clicks, oldest report first (the dry run's history). */
  async conversionsOf(
    clickIds: string[],
  ): Promise<Array<RecordedConversion & { clickId: string }>> {
    if (clickIds.length === 0) return [];
    const rows: ConversionRow[] = await this.manager.query(
      `SELECT ${CONVERSION_SELECT} FROM ${this.tables.postbacks}
        WHERE click_id = ANY($1::text[]) AND status = 'attributed'
        ORDER BY received_at, postback_id`,
      [clickIds],
    );
    return rows.map(toRecordedConversion);
  }

  /**
   * The histories a batch's postbacks can ask about (see isRelevantConversion): per click, its
   * conversions of the first stages and those with one of `tids` or `paramsHashes`, and its
   * number of deposits. The cost follows the batch, not the clicks' past: a click with 10,000
   * deposits (B7) used to be read whole for every batch.
   */
  async historiesFor(
    clickIds: string[],
    asked: { tids: string[]; paramsHashes: string[] },
  ): Promise<Map<string, ClickHistory>> {
    const histories = new Map<string, ClickHistory>();
    if (clickIds.length === 0) return histories;
    // Ordinals are 1..n by construction (each deposit takes the count plus one, and
    // postbacks_ordinal_once keeps them unique), so the highest is the count: one index entry.
    const counts: Array<{ click_id: string; deposits: number }> = await this.manager.query(
      `SELECT k AS click_id,
              coalesce((SELECT max(p.ordinal) FROM ${this.tables.postbacks} AS p
                         WHERE p.click_id = k AND p.status = 'attributed'
                           AND p.ordinal IS NOT NULL), 0)::int AS deposits
         FROM unnest($1::text[]) AS k`,
      [clickIds],
    );
    const rows: ConversionRow[] = await this.manager.query(
      `SELECT ${CONVERSION_SELECT} FROM ${this.tables.postbacks}
        WHERE click_id = ANY($1::text[]) AND status = 'attributed'
          AND (stage = ANY($2::text[]) OR tid = ANY($3::text[]) OR params_hash = ANY($4::text[]))
        ORDER BY received_at, postback_id`,
      [clickIds, FIRST_STAGES, asked.tids, asked.paramsHashes],
    );
    const byClick = new Map<string, RecordedConversion[]>();
    for (const row of rows) {
      const list = byClick.get(row.click_id) ?? [];
      list.push(toRecordedConversion(row));
      byClick.set(row.click_id, list);
    }
    for (const { click_id, deposits } of counts) {
      histories.set(click_id, ClickHistory.partial(byClick.get(click_id) ?? [], deposits));
    }
    return histories;
  }

  /** Postbacks that waited for one of these clicks, oldest report first. */
  async pendingFor(clickIds: string[]): Promise<PostbackRow[]> {
    if (clickIds.length === 0) return [];
    return this.manager.query(
      `SELECT ${POSTBACK_SELECT} FROM ${this.tables.postbacks}
        WHERE click_id = ANY($1::text[]) AND status = 'unmatched'
        ORDER BY received_at, postback_id`,
      [clickIds],
    );
  }

  async insertClicks(rows: ClickRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.manager.query(
      `INSERT INTO ${this.tables.clicks}
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${CLICK_COLUMNS})
       ON CONFLICT (click_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  async updateClickFields(rows: ClickRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.manager.query(
      `UPDATE ${this.tables.clicks} AS c SET fields = x.fields, field_times = x.field_times
         FROM jsonb_to_recordset($1::jsonb) AS x(click_id text, fields jsonb, field_times jsonb)
        WHERE c.click_id = x.click_id`,
      [
        JSON.stringify(
          rows.map(({ click_id, fields, field_times }) => ({ click_id, fields, field_times })),
        ),
      ],
    );
  }

  async insertPostbacks(rows: PostbackRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.manager.query(
      `INSERT INTO ${this.tables.postbacks} (${POSTBACK_NAMES})
       SELECT ${POSTBACK_NAMES} FROM jsonb_to_recordset($1::jsonb) AS x(${POSTBACK_COLUMNS})
       ON CONFLICT (postback_id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }

  /** A re-judged postback (unmatched until its click arrived) takes its new status. */
  async updatePostbacks(rows: PostbackRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.manager.query(
      `UPDATE ${this.tables.postbacks} AS p
          SET status = x.status, error_code = x.error_code, error = x.error, stage = x.stage,
              ordinal = x.ordinal, judged_at = x.judged_at, error_detail = x.error_detail,
              kind = x.kind, amount = x.amount, currency = x.currency, reverses = x.reverses,
              reversed_stage = x.reversed_stage
         FROM jsonb_to_recordset($1::jsonb) AS x(${POSTBACK_COLUMNS})
        WHERE p.postback_id = x.postback_id`,
      [JSON.stringify(rows)],
    );
  }

  /** Outbox rows in emission order; deterministic ids make a re-enqueue a no-op. */
  async enqueue(events: AnyEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((event) => ({
      event_id: event.id,
      topic: topicOf(event.type),
      message_key: partitionKeyOf(event),
      event,
    }));
    await this.manager.query(
      `INSERT INTO ${this.tables.outbox} (event_id, topic, message_key, event, published_at)
       SELECT (e->>'event_id')::uuid, e->>'topic', e->>'message_key', e->'event',
              CASE WHEN $2::boolean THEN now() END
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, ord)
        ORDER BY ord
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(rows), this.outboxPublished],
    );
  }
}
