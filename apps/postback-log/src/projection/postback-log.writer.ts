import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AnyEvent } from '@tracker/contracts';
import { storableText } from '@tracker/database';
import { lockModelShared } from '@tracker/replay';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource, EntityManager } from 'typeorm';
import {
  Column,
  isNewerOutcome,
  OutcomeRow,
  outcomeRow,
  PostbackRow,
  postbackRow,
  toCopyText,
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
  /**
   * COPY a batch's new postbacks instead of upserting them, for a replay into a fresh table: in
   * COPY's text rows PostgreSQL spends ~7 µs a row, against ~20 µs parsing the upsert's JSON.
   * Rows already there (their outcome came first, or a redelivery) are upserted as usual, so the
   * rows are the same either way.
   */
  copyNewPostbacks?: boolean;
}

const UNIQUE_VIOLATION = '23505';

/**
 * The rows of $1, a JSON array of objects, as typed columns in `columns` order. The document is
 * parsed once into jsonb and each field is looked up in that binary form: json_to_recordset
 * parses every row again (25–44 µs of PostgreSQL CPU per row against 17–21, statement alone).
 */
function rowsOf(columns: readonly Column[]): string {
  const fields = columns.map(([name, type]) =>
    // A JSON null must stay SQL NULL, as json_to_recordset made it.
    type === 'jsonb' ? `NULLIF(e->'${name}', 'null')` : `(e->>'${name}')::${type}`,
  );
  return `SELECT ${fields.join(', ')} FROM jsonb_array_elements($1::jsonb) AS e`;
}

const names = (columns: readonly Column[]) => columns.map(([name]) => name).join(', ');

const POSTBACK_COLUMNS: readonly Column[] = [
  ['id', 'uuid'],
  ['account_id', 'uuid'],
  ['integration_id', 'uuid'],
  ['integration_name', 'text'],
  ['received_at', 'timestamptz'],
  ['event', 'text'],
  ['click_id', 'text'],
  ['method', 'text'],
  ['url', 'text'],
  ['params', 'jsonb'],
  ['search_text', 'text'],
  ['body', 'jsonb'],
  ['content_type', 'text'],
  ['remote_address', 'text'],
  ['user_agent', 'text'],
];

// The postback columns are written once: a redelivered PostbackReceived changes nothing.
const upsertPostbacks = (table: string) => `
  INSERT INTO ${table} AS t (${names(POSTBACK_COLUMNS)})
  ${rowsOf(POSTBACK_COLUMNS)}
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
    search_text = EXCLUDED.search_text,
    body = EXCLUDED.body,
    content_type = EXCLUDED.content_type,
    remote_address = EXCLUDED.remote_address,
    user_agent = EXCLUDED.user_agent
  WHERE t.received_at IS NULL`;

const OUTCOME_COLUMNS: readonly Column[] = [
  ['id', 'uuid'],
  ['account_id', 'uuid'],
  ['integration_id', 'uuid'],
  ['status', 'text'],
  ['error_code', 'text'],
  ['error', 'text'],
  ['conversion', 'jsonb'],
  ['click_id', 'text'],
  ['outcome_at', 'timestamptz'],
  ['outcome_id', 'uuid'],
  ['error_detail', 'jsonb'],
  ['params_used_as', 'jsonb'],
  ['clicked_at', 'timestamptz'],
];

// Only a strictly newer outcome replaces the stored one, so redeliveries and late old ones are no-ops.
const upsertOutcomes = (table: string) => `
  INSERT INTO ${table} AS t (${names(OUTCOME_COLUMNS)})
  ${rowsOf(OUTCOME_COLUMNS)}
  ON CONFLICT (id) DO UPDATE SET
    status = EXCLUDED.status,
    error_code = EXCLUDED.error_code,
    error = EXCLUDED.error,
    conversion = EXCLUDED.conversion,
    click_id = COALESCE(t.click_id, EXCLUDED.click_id),
    outcome_at = EXCLUDED.outcome_at,
    outcome_id = EXCLUDED.outcome_id,
    error_detail = EXCLUDED.error_detail,
    params_used_as = COALESCE(EXCLUDED.params_used_as, t.params_used_as),
    clicked_at = EXCLUDED.clicked_at
  WHERE t.outcome_at IS NULL
     OR (EXCLUDED.outcome_at, EXCLUDED.outcome_id) > (t.outcome_at, t.outcome_id)`;

// A postback and its outcome in one batch: the whole row in one insert. Written twice (the
// outcome's update: its status is indexed, so never HOT) the row entered all six indexes, the
// trigram one included, twice.
const JOINED_COLUMNS: readonly Column[] = [
  ...POSTBACK_COLUMNS,
  ...OUTCOME_COLUMNS.filter(([name]) => !POSTBACK_COLUMNS.some(([known]) => known === name)),
];

// A row already there (an earlier outcome, a redelivery) is left to the two upserts.
const insertJoined = (table: string) => `
  INSERT INTO ${table} (${names(JOINED_COLUMNS)})
  ${rowsOf(JOINED_COLUMNS)}
  ON CONFLICT (id) DO NOTHING
  RETURNING id::text AS id`;

const TERM_COLUMNS: readonly Column[] = [
  ['account_id', 'uuid'],
  ['term_hash', 'uuid'],
  ['term', 'text'],
];

// A term already stored changes nothing: DO NOTHING keeps redeliveries and replays cheap.
const insertUrlTerms = (table: string) => `
  INSERT INTO ${table} (${names(TERM_COLUMNS)})
  ${rowsOf(TERM_COLUMNS)}
  ON CONFLICT DO NOTHING`;

interface UrlTermRow {
  account_id: string;
  term_hash: string;
  term: string;
}

/**
 * Terms known to be committed, so most batches skip the insert; bounded by clearing. Keyed by
 * account and md5, never by the term itself (a hostile parameter name may be 16 KiB long): each
 * entry is 68 characters, so the cache holds at most ~7 MB however long the terms are.
 */
const KNOWN_TERMS_LIMIT = 50_000;

type JoinedRow = PostbackRow & OutcomeRow;

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
  private readonly insertJoined: string;
  private readonly copyPostbacksSql: string | null;
  private readonly existingIdsSql: string;
  private readonly switchLock: boolean;
  private readonly knownTerms = new Set<string>();
  /** Postback rows written by COPY and by the upsert (for tests and diagnostics). */
  readonly copyStats = { copiedRows: 0, upsertedRows: 0 };
  /** Rows written whole at once, their postback and outcome in the same batch (diagnostics). */
  readonly joinStats = { joinedRows: 0 };

  constructor(
    private readonly dataSource: DataSource,
    private readonly integrationName: IntegrationNameLookup = () => undefined,
    options: PostbackLogWriterOptions = {},
  ) {
    const schema = `"${(options.schema ?? 'postback_log').replace(/"/g, '""')}"`;
    this.upsertPostbacks = upsertPostbacks(`${schema}.postback_logs`);
    this.upsertOutcomes = upsertOutcomes(`${schema}.postback_logs`);
    this.insertUrlTerms = insertUrlTerms(`${schema}.url_terms`);
    this.insertJoined = insertJoined(`${schema}.postback_logs`);
    this.switchLock = options.switchLock ?? true;
    this.copyPostbacksSql = options.copyNewPostbacks
      ? `COPY ${schema}.postback_logs (${names(POSTBACK_COLUMNS)}) FROM STDIN`
      : null;
    this.existingIdsSql = `SELECT id FROM ${schema}.postback_logs WHERE id = ANY($1::uuid[])`;
  }

  async write(events: ReadonlyArray<AnyEvent | null>): Promise<void> {
    const postbacks = new Map<string, PostbackRow>();
    const outcomes = new Map<string, OutcomeRow>();
    const terms = new Map<string, UrlTermRow>();
    // The terms this batch already looked at, by account: an integration's postbacks share their
    // path and parameter names, so a batch hashes each once (md5 per term per postback was a
    // fifth of a replay's Node CPU). Held only for this batch, so a long term costs no memory
    // after it.
    const looked = new Map<string, Set<string>>();
    for (const event of events) {
      if (event?.type === 'PostbackReceived') {
        if (postbacks.has(event.id)) continue;
        const name = this.integrationName(event.integrationId) ?? null;
        postbacks.set(event.id, postbackRow(event, name));
        const accountId = event.accountId.toLowerCase();
        let accountTerms = looked.get(accountId);
        if (!accountTerms) looked.set(accountId, (accountTerms = new Set()));
        for (const term of urlTermsOf(event.payload.url)) {
          if (accountTerms.has(term)) continue;
          accountTerms.add(term);
          // The hash of the text as stored (a NUL becomes U+FFFD), as md5(term) in SQL has it.
          const hash = createHash('md5').update(storableText(term)).digest('hex');
          const key = `${accountId}${hash}`;
          if (this.knownTerms.has(key) || terms.has(key)) continue;
          terms.set(key, { account_id: accountId, term_hash: hash, term });
        }
      } else if (event?.type === 'PostbackProcessed') {
        const row = outcomeRow(event);
        const current = outcomes.get(row.id);
        if (!current || isNewerOutcome(row, current)) outcomes.set(row.id, row);
      }
    }
    if (postbacks.size === 0 && outcomes.size === 0) return;
    const joinedRows: JoinedRow[] = [];
    for (const postback of postbacks.values()) {
      const outcome = outcomes.get(postback.id);
      // The postback's click id wins, as the outcome upsert's COALESCE has it.
      if (outcome)
        joinedRows.push({
          ...outcome,
          ...postback,
          click_id: postback.click_id ?? outcome.click_id,
        });
    }
    // Rows in id order: concurrent batches lock shared rows in the same order, never deadlock.
    joinedRows.sort(byId);
    const termKey = (t: UrlTermRow) => `${t.account_id}${t.term_hash}`;
    const termRows = [...terms.values()].sort((a, b) =>
      termKey(a) < termKey(b) ? -1 : termKey(a) > termKey(b) ? 1 : 0,
    );
    await this.dataSource.transaction(async (manager) => {
      if (this.switchLock) await lockModelShared(manager, 'postback-log');
      let joined = new Set<string>();
      if (joinedRows.length > 0) {
        const inserted: Array<{ id: string }> = await manager.query(this.insertJoined, [
          toRecordset(joinedRows),
        ]);
        joined = new Set(inserted.map((row) => row.id));
        this.joinStats.joinedRows += joined.size;
      }
      const postbackRows = [...postbacks.values()].filter((row) => !joined.has(row.id)).sort(byId);
      const outcomeRows = [...outcomes.values()].filter((row) => !joined.has(row.id)).sort(byId);
      const upserts = postbackRows.length > 0 ? await this.copyNew(manager, postbackRows) : [];
      if (upserts.length > 0) {
        await manager.query(this.upsertPostbacks, [toRecordset(upserts)]);
        this.copyStats.upsertedRows += upserts.length;
      }
      if (outcomeRows.length > 0)
        await manager.query(this.upsertOutcomes, [toRecordset(outcomeRows)]);
      if (termRows.length > 0) await manager.query(this.insertUrlTerms, [toRecordset(termRows)]);
    });
    if (this.knownTerms.size + terms.size > KNOWN_TERMS_LIMIT) this.knownTerms.clear();
    for (const key of terms.keys()) this.knownTerms.add(key);
  }

  /**
   * COPYs the rows whose ids are not in the table yet and returns the others, to be upserted.
   * In a replay a postback's outcome is often read before the postback itself (both topics are
   * read at once), so a batch meeting such a row is the common case, not the exception.
   */
  private async copyNew(manager: EntityManager, rows: PostbackRow[]): Promise<PostbackRow[]> {
    if (this.copyPostbacksSql === null) return rows;
    // The transaction's own connection: COPY needs the driver's client, not TypeORM's query().
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    const found = await client.query<{ id: string }>(this.existingIdsSql, [rows.map((r) => r.id)]);
    const existing = new Set(found.rows.map((row) => row.id));
    const fresh: PostbackRow[] = [];
    const known: PostbackRow[] = [];
    for (const row of rows) (existing.has(row.id) ? known : fresh).push(row);
    if (fresh.length === 0) return known;
    await client.query('SAVEPOINT copy_postbacks');
    try {
      await pipeline(
        Readable.from([toCopyText(fresh, POSTBACK_COLUMNS)]),
        client.query(copyFrom(this.copyPostbacksSql)),
      );
    } catch (error) {
      // Another transaction of this writer inserted one of them meanwhile: upsert them all.
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      await client.query('ROLLBACK TO SAVEPOINT copy_postbacks');
      return rows;
    }
    await client.query('RELEASE SAVEPOINT copy_postbacks');
    this.copyStats.copiedRows += fresh.length;
    return known;
  }
}
