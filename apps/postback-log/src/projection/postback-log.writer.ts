import { createHash } from 'node:crypto';
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
  urlTermsOf,
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

// A term already stored changes nothing: DO NOTHING keeps redeliveries and replays cheap.
const insertUrlTerms = (table: string) => `
  INSERT INTO ${table} (account_id, term_hash, term)
  SELECT account_id, term_hash, term
  FROM json_to_recordset($1::json) AS r(account_id uuid, term_hash uuid, term text)
  ON CONFLICT DO NOTHING`;

interface UrlTermRow {
  account_id: string;
  term_hash: string;
  term: string;
}

/** Terms known to be committed, so most batches skip the insert; bounded by clearing. */
const KNOWN_TERMS_LIMIT = 50_000;

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Writes a batch of PostbackReceived / PostbackProcessed events into the log in one
 * transaction with one multi-row upsert per kind. Idempotent: the same batch twice, or its
 * events in any order, leaves the same rows. The live consumer and the bench both use it.
 */
export class PostbackLogWriter {
  private readonly upsertPostbacks: string;
  private readonly upsertOutcomes: string;
  private readonly insertUrlTerms: string;
  private readonly switchLock: boolean;
  private readonly knownTerms = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly integrationName: IntegrationNameLookup = () => undefined,
    options: PostbackLogWriterOptions = {},
  ) {
    const schema = `"${(options.schema ?? 'postback_log').replace(/"/g, '""')}"`;
    this.upsertPostbacks = upsertPostbacks(`${schema}.postback_logs`);
    this.upsertOutcomes = upsertOutcomes(`${schema}.postback_logs`);
    this.insertUrlTerms = insertUrlTerms(`${schema}.url_terms`);
    this.switchLock = options.switchLock ?? true;
  }

  async write(events: ReadonlyArray<AnyEvent | null>): Promise<void> {
    const postbacks = new Map<string, PostbackRow>();
    const outcomes = new Map<string, OutcomeRow>();
    const terms = new Map<string, UrlTermRow>();
    for (const event of events) {
      if (event?.type === 'PostbackReceived') {
        if (postbacks.has(event.id)) continue;
        const name = this.integrationName(event.integrationId) ?? null;
        postbacks.set(event.id, postbackRow(event, name));
        const accountId = event.accountId.toLowerCase();
        for (const term of urlTermsOf(event.payload.url)) {
          const key = `${accountId}\n${term}`;
          if (this.knownTerms.has(key) || terms.has(key)) continue;
          const hash = createHash('md5').update(term).digest('hex');
          terms.set(key, { account_id: accountId, term_hash: hash, term });
        }
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
    const termKey = (t: UrlTermRow) => `${t.account_id}${t.term_hash}`;
    const termRows = [...terms.values()].sort((a, b) =>
      termKey(a) < termKey(b) ? -1 : termKey(a) > termKey(b) ? 1 : 0,
    );
    await this.dataSource.transaction(async (manager) => {
      if (this.switchLock) await lockModelShared(manager, 'postback-log');
      if (postbackRows.length > 0)
        await manager.query(this.upsertPostbacks, [toRecordset(postbackRows)]);
      if (outcomeRows.length > 0)
        await manager.query(this.upsertOutcomes, [toRecordset(outcomeRows)]);
      if (termRows.length > 0) await manager.query(this.insertUrlTerms, [toRecordset(termRows)]);
    });
    if (this.knownTerms.size + terms.size > KNOWN_TERMS_LIMIT) this.knownTerms.clear();
    for (const key of terms.keys()) this.knownTerms.add(key);
  }
}
