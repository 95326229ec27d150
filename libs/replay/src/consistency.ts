import { ident } from './sql-names';
import { Queryable, queryRows } from './model-lock';

/**
 * One table of a model as the check compares it: `key` and `columns` are SQL expressions over
 * the table; columns that legitimately differ after a rebuild (sequence ids, decision times,
 * publish times) are left out by the model's definition.
 */
export interface ComparedTable {
  table: string;
  key: string;
  columns: string[];
  /** Restricts the comparison to some rows (e.g. one tenant's), as a SQL condition. */
  where?: string;
}

export interface TableComparison {
  table: string;
  liveRows: number;
  replayRows: number;
  equal: boolean;
  onlyLive?: number;
  onlyReplay?: number;
  differing?: number;
  sampleKeys?: string[];
}

function rowHash(table: ComparedTable): string {
  return `hashtextextended(ROW(${table.columns.join(', ')})::text, 0)`;
}

const whereOf = (table: ComparedTable) => (table.where ? ` WHERE ${table.where}` : '');

async function summary(db: Queryable, schema: string, table: ComparedTable) {
  const [row] = await queryRows<{ rows: number; hash: string }>(
    db,
    `SELECT count(*)::int AS rows, coalesce(sum(${rowHash(table)}::numeric), 0)::text AS hash
       FROM ${ident(schema)}.${ident(table.table)}${whereOf(table)}`,
  );
  return row;
}

/** Row counts and an order-independent hash of every compared row, then a diff where they differ. */
export async function compareSchemas(
  db: Queryable,
  liveSchema: string,
  replaySchema: string,
  tables: readonly ComparedTable[],
): Promise<TableComparison[]> {
  const results: TableComparison[] = [];
  for (const table of tables) {
    const live = await summary(db, liveSchema, table);
    const replay = await summary(db, replaySchema, table);
    const result: TableComparison = {
      table: table.table,
      liveRows: live.rows,
      replayRows: replay.rows,
      equal: live.rows === replay.rows && live.hash === replay.hash,
    };
    if (!result.equal) {
      const side = (schema: string) =>
        `SELECT (${table.key})::text AS k, ${rowHash(table)} AS h ` +
        `FROM ${ident(schema)}.${ident(table.table)}${whereOf(table)}`;
      const [diff] = await queryRows<{
        only_live: number;
        only_replay: number;
        differing: number;
        sample: string[];
      }>(
        db,
        `WITH l AS (${side(liveSchema)}), r AS (${side(replaySchema)})
         SELECT count(*) FILTER (WHERE r.k IS NULL)::int AS only_live,
                count(*) FILTER (WHERE l.k IS NULL)::int AS only_replay,
                count(*) FILTER (WHERE l.k IS NOT NULL AND r.k IS NOT NULL)::int AS differing,
                (array_agg(coalesce(l.k, r.k) ORDER BY coalesce(l.k, r.k)))[1:5] AS sample
           FROM l FULL JOIN r ON l.k = r.k
          WHERE l.h IS DISTINCT FROM r.h`,
      );
      result.onlyLive = diff.only_live;
      result.onlyReplay = diff.only_replay;
      result.differing = diff.differing;
      result.sampleKeys = diff.sample ?? [];
    }
    results.push(result);
  }
  return results;
}

/** `postback_logs 1,000 rows =` or `outbox 3 live / 5 rebuilt ≠ (…)`, one line for all tables. */
export function describeComparison(results: readonly TableComparison[]): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  return results
    .map((r) =>
      r.equal
        ? `${r.table} ${fmt(r.liveRows)} rows =`
        : `${r.table} ${fmt(r.liveRows)} live / ${fmt(r.replayRows)} rebuilt ≠ ` +
          `(only live ${fmt(r.onlyLive ?? 0)}, only rebuilt ${fmt(r.onlyReplay ?? 0)}, ` +
          `differing ${fmt(r.differing ?? 0)}; e.g. ${(r.sampleKeys ?? []).join(', ') || '-'})`,
    )
    .join('; ');
}
