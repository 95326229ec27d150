import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensureLocalPostgres } from './embedded-postgres';
import { freePort } from './processes';

async function answers(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

describe('ensureLocalPostgres', () => {
  it('waits out a server that is shutting down on its port instead of handing out its URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracker-pg-settle-'));
    // Run as root, PostgreSQL runs as the user `postgres`, which must enter the directory.
    chmodSync(dir, 0o711);
    const port = await freePort();
    const options = { dataDir: join(dir, 'postgres'), port, log: () => undefined };
    // Given an embedded PostgreSQL that its owner is stopping right now (a tracker that just
    // exited),
    const first = await ensureLocalPostgres(options);
    expect(first.startedHere).toBe(true);
    const stopping = first.stop();
    try {
      // when another start asks for one on the same port at that moment,
      const second = await ensureLocalPostgres(options);
      // then what it hands out answers queries (the dying server was not taken for a live one).
      await stopping;
      expect(await answers(second.url)).toBe(1);
      await second.stop();
    } finally {
      await stopping;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
