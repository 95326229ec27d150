import { Client } from 'pg';
import { ident } from './sql-names';
import { Queryable, queryRows } from './model-lock';

/**
 * Drops a table's secondary indexes (not those backing constraints: upserts need them) and
 * returns their definitions: a bulk load without them, then one build each, is far cheaper.
 */
export async function dropSecondaryIndexes(
  db: Queryable,
  schema: string,
  table: string,
): Promise<string[]> {
  const rows = await queryRows<{ name: string; definition: string }>(
    db,
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_class t ON t.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND t.relname = $2
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY c.relname`,
    [schema, table],
  );
  for (const row of rows) await db.query(`DROP INDEX ${ident(schema)}.${ident(row.name)}`);
  return rows.map((row) => row.definition);
}

/**
 * Builds indexes on `connections` sessions at once (builds of one table share its SHARE lock),
 * GIN and other expensive ones first so the cheap btrees fill the other session meanwhile.
 */
export async function buildIndexes(
  databaseUrl: string,
  definitions: readonly string[],
  connections = 2,
): Promise<void> {
  const queue = [...definitions].sort(
    (a, b) => Number(/USING gin/i.test(b)) - Number(/USING gin/i.test(a)),
  );
  const worker = async () => {
    const client = new Client({
      connectionString: databaseUrl,
      application_name: 'tracker-replay',
    });
    await client.connect();
    try {
      await client.query(`SET maintenance_work_mem = '256MB'`);
      for (let next = queue.shift(); next; next = queue.shift()) await client.query(next);
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.min(connections, queue.length) }, worker));
}
