import { randomUUID } from 'node:crypto';
import { openAppDataSource } from '@tracker/database';
import { createTestDatabase } from '@tracker/testing';
import { POSTBACK_LOG_DATABASE } from '../postback-log.database';
import { urlTermsOf } from '../projection/postback-log.rows';
import { CreatePostbackLog1764100000000 } from './1764100000000-CreatePostbackLog';

describe('SearchWholeUrl migration (real PostgreSQL)', () => {
  it('fills url_terms from rows projected before it, as the writer would', async () => {
    const url = await createTestDatabase('url_terms');
    const before = await openAppDataSource(url, {
      ...POSTBACK_LOG_DATABASE,
      migrations: [CreatePostbackLog1764100000000],
    });
    const accountId = randomUUID();
    const urls = [
      `/api/postbacks/${randomUUID()}/tracker-postback?Click_ID=abc&sub%5B%5D=1&flag&=x`,
      `/api/postbacks/${randomUUID()}/Tracker-Postback?click_id=def&SumDep=5`,
      `/api/postbacks/${randomUUID()}/tracker-postback`,
    ];
    for (const [index, postbackUrl] of urls.entries()) {
      await before.query(
        `INSERT INTO postback_log.postback_logs (id, account_id, received_at, url)
         VALUES ($1, $2, now(), $3)`,
        [randomUUID(), accountId, postbackUrl],
      );
      // An outcome whose postback has not arrived yet has no URL.
      if (index === 0)
        await before.query(
          `INSERT INTO postback_log.postback_logs (id, account_id, status) VALUES ($1, $2, 'unmatched')`,
          [randomUUID(), accountId],
        );
    }
    await before.destroy();

    const after = await openAppDataSource(url, POSTBACK_LOG_DATABASE);
    try {
      const rows: Array<{ term: string; hashed: boolean }> = await after.query(
        `SELECT term, term_hash = md5(term)::uuid AS hashed FROM postback_log.url_terms
         WHERE account_id = $1`,
        [accountId],
      );
      expect(rows.map((r) => r.term).sort()).toEqual([...new Set(urls.flatMap(urlTermsOf))].sort());
      expect(rows.every((r) => r.hashed)).toBe(true);
    } finally {
      await after.destroy();
    }
  });
});
