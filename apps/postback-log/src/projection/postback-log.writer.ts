import type { AnyEvent } from '@tracker/contracts';
import { lockModelShared } from '@tracker/replay';
import type { DataSource } from 'typeorm';
import {
  isNewerOutcome,
  OutcomeRow,
  outcomeRow,
  PostbackRow,
  postbackRow,
  toRecordset,
} from './postback-log.rows';

/** Resolves an integration's current name at projection time (kept for deleted integrations). */
export type IntegrationNameLookup = (integrationId: string) => string | undefined;

export interface PostbackLogWriterOptions {
  /** Where the log lives: the live schema, or a replay's fresh one. */
  schema?: string;
  /** Take the model's shared switch lock per batch (live writers; a replay holds it exclusively). */
  switchLock?: boolean;
}

// The postback columns are written once: a redelivered PostbackReceived changes nothing.
const upsertPostbacks = (table: string) => `
  INSERT INTO ${table} AS t
    (id, account_id, integration_id, integration_name, received_at, event, click_id, method, url,
     params, search_text)
  SELECT id, account_id, integration_id, integration_name, received_at, event, click_id, method,
         url, params, search_text
  FROM json_to_recordset($1::json) AS r(
    id uuid, account_id uuid, integration_id uuid, integration_name text, received_at timestamptz,
    event text, click_id text, method text, url text, params jsonb, search_text text)
  ON CONFLICT (id) DO UPDATE SET
    account_id = EXCLUDED.account_id,
    integration_id = EXCLUDED.integration_id,
    integration_name = EXCLUDED.integration_name,
    received_at = EXCLUDED.received_at,
    event = EXCLUDED.event,
    click_id = COALESCE(EXCLUDED.click_id, t.click_id),
    method = EXCLUDED.method,
    url = EXCLUDED.url,
    params = EXCLUDED.params,
    search_text = EXCLUDED.search_text
  WHERE t.received_at IS NULL`;

// Only a strictly newer outcome replaces the stored one, so redeliveries and late old ones are no-ops.
const upsertOutcomes = (table: string) => `
  INSERT INTO ${table} AS t
    (id, account_id, integration_id, status, error_code, error, conversion, click_id, outcome_at,
     outcome_id)
  SELECT id, account_id, integration_id, status, error_code, error, conversion, click_id,
         outcome_at, outcome_id
  FROM json_to_recordset($1::json) AS r(
    id uuid, account_id uuid, integration_id uuid, status text, error_code text, error text,
    conversion jsonb, click_id text, outcome_at timestamptz, outcome_id uuid)
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status,
    error_code = EXCLUDED.error_code,
    error = EXCLUDED.error,
    conversion = EXCLUDED.conversion,
    click_id = COALESCE(t.click_id, EXCLUDED.click_id),
    outcome_at = EXCLUDED.outcome_at,
    outcome_id = EXCLUDED.outcome_id
  WHERE t.outcome_at IS NULL
     OR (EXCLUDED.outcome_at, EXCLUDED.outcome_id) > (t.outcome_at, t.outcome_id)`;

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Writes a batch of PostbackReceived / PostbackProcessed events into the log in one
 * transaction with one multi-row upsert per kind. Idempotent: the same batch twice, or its
 * events in any order, leaves the same rows. The live consumer and the bench both use it.
 */
export class PostbackLogWriter {
  private readonly upsertPostbacks: string;
  private readonly upsertOutcomes: string;
  private readonly switchLock: boolean;

  constructor(
    private readonly dataSource: DataSource,
    private readonly integrationName: IntegrationNameLookup = () => undefined,
    options: PostbackLogWriterOptions = {},
  ) {
    const table = `"${(options.schema ?? 'postback_log').replace(/"/g, '""')}".postback_logs`;
    this.upsertPostbacks = upsertPostbacks(table);
    this.upsertOutcomes = upsertOutcomes(table);
    this.switchLock = options.switchLock ?? true;
  }

  async write(events: ReadonlyArray<AnyEvent | null>): Promise<void> {
    const postbacks = new Map<string, PostbackRow>();
    const outcomes = new Map<string, OutcomeRow>();
    for (const event of events) {
      if (event?.type === 'PostbackReceived') {
        if (postbacks.has(event.id)) continue;
        const name = this.integrationName(event.integrationId) ?? null;
        postbacks.set(event.id, postbackRow(event, name));
      } else if (event?.type === 'PostbackProcessed') {
        const row = outcomeRow(event);
        const current = outcomes.get(row.id);
        if (!current || isNewerOutcome(row, current)) outcomes.set(row.id, row);
      }
    }
    if (postbacks.size === 0 && outcomes.size === 0) return;
    // Rows in id order: concurrent batches lock shared rows in the same order, never deadlock.
    const postbackRows = [...postbacks.values()].sort(byId);
    const outcomeRows = [...outcomes.values()].sort(byId);
    await this.dataSource.transaction(async (manager) => {
      if (this.switchLock) await lockModelShared(manager, 'postback-log');
      if (postbackRows.length > 0)
        await manager.query(this.upsertPostbacks, [toRecordset(postbackRows)]);
      if (outcomeRows.length > 0)
        await manager.query(this.upsertOutcomes, [toRecordset(outcomeRows)]);
    });
  }
}
