/**
 * Reads the postback log's own table (`postback_log.postback_logs`, the read model behind
 * `GET /api/postback-logs`) for one account, by the `n` marker every planned postback carries.
 * Its pool survives the run's PostgreSQL restart (a broken idle connection is dropped).
 */
import { Pool } from 'pg';

export interface LogRow {
  id: string;
  /** The `n` marker, or null for a row that carries none. */
  seq: number | null;
  clickId: string | null;
  status: string;
  errorCode: string | null;
  conversion: { stage: string; ordinal: number | null; amount: string | null } | null;
}

export class LogReader {
  private readonly pool: Pool;

  constructor(
    databaseUrl: string,
    private readonly accountId: string,
  ) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 2 });
    this.pool.on('error', () => undefined);
  }

  /** The markers among `seqs` whose postback is in the log with a final status. */
  async finalAmong(seqs: readonly number[]): Promise<Set<number>> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT (params->>'n')::int AS n FROM postback_log.postback_logs
        WHERE account_id = $1 AND status <> 'received' AND params->>'n' = ANY($2::text[])`,
      [this.accountId, seqs.map(String)],
    );
    return new Set(rows.map((row) => row.n));
  }

  /** Rows of the account still `received` (recorded, not yet processed). */
  async receivedCount(): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM postback_log.postback_logs
        WHERE account_id = $1 AND status = 'received'`,
      [this.accountId],
    );
    return rows[0].count;
  }

  async all(): Promise<LogRow[]> {
    const { rows } = await this.pool.query<{
      id: string;
      n: string | null;
      click_id: string | null;
      status: string;
      error_code: string | null;
      conversion: LogRow['conversion'];
    }>(
      `SELECT id, params->>'n' AS n, click_id, status, error_code, conversion
         FROM postback_log.postback_logs WHERE account_id = $1`,
      [this.accountId],
    );
    return rows.map((row) => ({
      id: row.id,
      seq: row.n !== null && /^\d+$/.test(row.n) ? Number(row.n) : null,
      clickId: row.click_id,
      status: row.status,
      errorCode: row.error_code,
      conversion: row.conversion,
    }));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
