/**
 * SPEC section 9: API queries have a statement timeout and do not share a pool with the
 * projections. A log page stuck behind a lock is cancelled and answered 503, while the
 * projection's own connections carry no such timeout.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import {
  closeSeedProducer,
  eventually,
  seedAccount,
  SeededAccount,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { POSTBACK_LOG_APP } from '../postback-log.database';
import { PostbackLogModule } from '../postback-log.module';

describe('the API pool (Kafka + PostgreSQL)', () => {
  let testApp: TestApp;
  let team: SeededAccount;

  const page = () =>
    fetch(`${testApp.baseUrl}/api/postback-logs`, {
      headers: { authorization: `Bearer ${team.apiKey}` },
    });

  beforeAll(async () => {
    team = await seedAccount('API pool team');
    testApp = await startTestApp({
      name: 'api-pool',
      features: [PostbackLogModule],
      config: { apiStatementTimeoutMs: 300 },
    });
    await eventually(async () => expect((await page()).status).toBe(200));
  });

  afterAll(async () => {
    await testApp?.close();
    await closeSeedProducer();
  });

  it('cancels an API query past the statement timeout with a 503, not the projection’s', async () => {
    const api = testApp.app.get<DataSource>(
      getDataSourceToken(apiDataSourceName(POSTBACK_LOG_APP)),
    );
    const projection = testApp.app.get<DataSource>(getDataSourceToken(POSTBACK_LOG_APP));
    expect(await api.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '300ms' }]);
    expect(await projection.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '0' }]);

    const holder = new Client({ connectionString: testApp.config.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE postback_log.postback_logs IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const response = await page();
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        statusCode: 503,
        message: 'the query took longer than the API allows; narrow it (e.g. with from and to)',
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect((await page()).status).toBe(200);
  });
});
