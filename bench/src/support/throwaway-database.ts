/** Databases a benchmark creates for itself and drops afterwards. */
import { randomBytes } from 'node:crypto';
import { createDatabase, ensureLocalPostgres } from '@tracker/local-infra';
import { Client } from 'pg';

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random hex>` on the server of `serverUrl`; returns its URL. */
export function createRandomDatabase(serverUrl: string, prefix: string, bytes = 4) {
  return createDatabase(serverUrl, `${prefix}_${randomBytes(bytes).toString('hex')}`);
}

/** Drops the database `url` points to, from the server of `serverUrl`. */
export async function dropDatabase(serverUrl: string, url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database on DATABASE_URL's server, else on the embedded PostgreSQL, which drop()
 * also stops when `stopEmbedded` is set.
 */
export async function throwawayDatabase(
  prefix: string,
  options: { stopEmbedded?: boolean } = {},
): Promise<ThrowawayDatabase> {
  const embedded = process.env.DATABASE_URL
    ? null
    : await ensureLocalPostgres({ log: () => undefined });
  const server = process.env.DATABASE_URL ?? embedded!.url;
  const url = await createRandomDatabase(server, prefix);
  return {
    url,
    drop: async () => {
      try {
        await dropDatabase(server, url);
      } finally {
        if (options.stopEmbedded) await embedded?.stop();
      }
    },
  };
}
