/**
 * Exactly one ConversionRecorded per attributed postback across a crash between the database
 * commit and the publish, and across a redelivered batch.
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { conversionRecordedId, partitionKeyOf, PostbackReceivedEvent } from '@tracker/contracts';
import { randomUUID } from 'node:crypto';
import {
  closeSeedProducer,
  createTestDatabase,
  eventually,
  seedAccount,
  SeededAccount,
  seedIntegration,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { DataSource } from 'typeorm';
import { AttributionModule } from '../src/attribution.module';
import { AttributionOutboxRelay } from '../src/outbox/outbox.relay';
import { AttributionProjection } from '../src/projection/attribution.projection';
import { ATTRIBUTION_DB, Tables } from '../src/shared/schema';
import {
  api,
  clickRegistered,
  consumed,
  freshGroupPrefix,
  newClickId,
  OutputReader,
  postbackReceived,
  publish,
} from './attribution-fixtures';

describe('attribution: exactly one ConversionRecorded per attributed postback', () => {
  let team: SeededAccount;
  let reader: OutputReader;
  let databaseUrl: string;
  let groupPrefix: string;
  const apps: TestApp[] = [];
  const start = (): Promise<TestApp> =>
    startTestApp({
      name: 'attribution-crash',
      features: [AttributionModule],
      databaseUrl,
      groupPrefix,
    }).then((app) => {
      apps.push(app);
      return app;
    });

  beforeAll(async () => {
    team = await seedAccount('Crash team');
    databaseUrl = await createTestDatabase('attribution_crash');
    groupPrefix = await freshGroupPrefix('attribution-crash');
    reader = await new OutputReader().start();
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await reader?.stop();
    await closeSeedProducer();
  });

  it('survives a process stopping between its commit and its publish, and redelivery', async () => {
    const integration = await seedIntegration(team.account.id);
    const clickIds = [newClickId(), newClickId(), newClickId()];
    const postbacks: PostbackReceivedEvent[] = clickIds.flatMap((clickId) => [
      postbackReceived(integration, { 'tracker.event': 'registration', click_id: clickId }),
      postbackReceived(integration, { 'tracker.event': 'resale', click_id: clickId, sumdep: '10' }),
      postbackReceived(integration, { 'tracker.event': 'resale', click_id: clickId, sumdep: '15' }),
      postbackReceived(integration, { 'tracker.event': 'registration', click_id: clickId, a: '1' }),
    ]);
    const clicks = clickIds.map((clickId) => clickRegistered(team.account.id, { clickId }));

    // First process: state commits, but its relay never publishes (the "crash" window).
    const first = await start();
    await first.app.get(AttributionOutboxRelay).pause();
    await publish(clicks);
    await eventually(async () => {
      for (const clickId of clickIds) {
        expect((await api(first.baseUrl, `/api/clicks/${clickId}`, team.apiKey)).status).toBe(200);
      }
    });
    await publish(postbacks);
    await eventually(async () => {
      for (const clickId of clickIds) {
        const journey = await api<{ events: unknown[] }>(
          first.baseUrl,
          `/api/clicks/${clickId}`,
          team.apiKey,
        );
        expect(journey.body.events).toHaveLength(3);
      }
    });
    // Shared topics carry other suites' postbacks too: count only ours.
    const ids = postbacks.map((p) => p.id);
    const ours = async (app: TestApp, onlyPending: boolean): Promise<number> => {
      const dataSource = app.app.get<DataSource>(getDataSourceToken(ATTRIBUTION_DB));
      const [row] = await dataSource.query(
        `SELECT count(*)::int AS n FROM ${Tables.outbox}
          WHERE event->'payload'->>'postbackId' = ANY($1::text[])
            ${onlyPending ? 'AND published_at IS NULL' : ''}`,
        [ids],
      );
      return row.n;
    };
    // One outcome per postback and one conversion per attributed one (3 of 4 per click).
    await eventually(async () => expect(await ours(first, true)).toBe(postbacks.length + 9));
    await first.close();
    for (const p of postbacks) expect(reader.outcomesOf(p.id)).toHaveLength(0);

    // A new process on the same database and consumer groups publishes what was left.
    const second = await start();
    const attributed = postbacks.filter((_, index) => index % 4 !== 3);
    await eventually(() => {
      for (const p of attributed) expect(reader.conversionsOf(p.id)).toHaveLength(1);
      for (const p of postbacks) expect(reader.outcomesOf(p.id)).toHaveLength(1);
    });
    await eventually(async () => expect(await ours(second, true)).toBe(0));
    // Published rows leave the outbox (the relay deletes them): nothing was enqueued again.
    expect(await ours(second, false)).toBe(0);
    // The relay sends the stored JSON as is, with the key and headers encodeEvent would give.
    for (const p of postbacks) {
      const [sent] = reader.outcomeMessagesOf(p.id);
      expect(sent.headers).toEqual({
        type: 'PostbackProcessed',
        version: String(sent.event.version),
      });
      expect(sent.key).toBe(partitionKeyOf(sent.event));
    }

    // The same batch again (a redelivery after a crash before the offset commit): no change.
    const messages = [...clicks, ...postbacks].map((event, offset) => consumed(event, offset));
    await second.app.get(AttributionProjection).handle(messages);
    // Nothing enqueued again: the outbox holds none of ours (published rows are deleted).
    expect(await ours(second, false)).toBe(0);
    for (const p of attributed) expect(reader.conversionsOf(p.id)).toHaveLength(1);
    const journey = await api<{ totals: unknown; events: unknown[] }>(
      second.baseUrl,
      `/api/clicks/${clickIds[0]}`,
      team.apiKey,
    );
    expect(journey.body.events).toHaveLength(3);
    expect(journey.body.totals).toEqual({
      deposits: 2,
      depositAmount: { USD: '25' },
      reversals: 0,
      reversedAmount: {},
      netDepositAmount: { USD: '25' },
    });
  });

  it('records exactly one reversal per reversed conversion, across redelivery (unique index as safety net)', async () => {
    const integration = await seedIntegration(team.account.id);
    const clickId = newClickId();
    const click = clickRegistered(team.account.id, { clickId });
    const deposit = postbackReceived(integration, {
      'tracker.event': 'resale',
      click_id: clickId,
      sumdep: '40',
      'tracker.tid': 'R-1',
    });
    const chargeback = postbackReceived(integration, {
      'tracker.event': 'resale',
      click_id: clickId,
      'tracker.tid': 'R-1',
      status: 'chargeback',
    });
    const app = await start();
    await publish([click]);
    await eventually(async () =>
      expect((await api(app.baseUrl, `/api/clicks/${clickId}`, team.apiKey)).status).toBe(200),
    );
    await publish([deposit, chargeback]);
    await eventually(() => expect(reader.conversionsOf(chargeback.id)).toHaveLength(1));
    expect(reader.conversionsOf(chargeback.id)[0].payload).toMatchObject({
      stage: 'reversal',
      reverses: conversionRecordedId(deposit.id),
      amount: '-40',
    });

    // A redelivery of the whole batch changes nothing.
    const messages = [click, deposit, chargeback].map((event, offset) => consumed(event, offset));
    await app.app.get(AttributionProjection).handle(messages);
    const dataSource = app.app.get<DataSource>(getDataSourceToken(ATTRIBUTION_DB));
    const reversals = await dataSource.query(
      `SELECT postback_id FROM ${Tables.postbacks} WHERE click_id = $1 AND stage = 'reversal'`,
      [clickId],
    );
    expect(reversals).toEqual([{ postback_id: chargeback.id }]);

    // Even a bug that judged another reversal of it could not store a second one.
    await expect(
      dataSource.query(
        `INSERT INTO ${Tables.postbacks} (postback_id, account_id, integration_id, click_id, event,
           status, stage, tid, reverses, received_at, judged_at)
         VALUES ($1, $2, $3, $4, 'resale', 'attributed', 'reversal', 'R-1', $5, now(), now())`,
        [randomUUID(), team.account.id, integration.id, clickId, conversionRecordedId(deposit.id)],
      ),
    ).rejects.toThrow(/postbacks_reversal_once/);
  });
});
