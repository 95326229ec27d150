import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { IntegrationChangedPayload, PostbackReceivedEvent } from '@tracker/contracts';
import { compareSchemas, ReplayRefusedError, runReplay } from '@tracker/replay';
import {
  closeSeedProducer,
  eventually,
  seedAccount,
  SeededAccount,
  seedIntegration,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { liveGroupsAtEnd, waitForReplayLock } from '../../../../libs/replay/test/replay-test-kit';
import {
  api,
  clickRegistered,
  newClickId,
  OutputReader,
  postbackReceived,
  publish,
} from '../../test/attribution-fixtures';
import { AttributionModule } from '../attribution.module';
import { ATTRIBUTION_GROUP, ATTRIBUTION_TOPICS } from '../projection/attribution.projection';
import { attributionReplay } from './attribution.replay';

describe('replay attribution (Kafka + PostgreSQL)', () => {
  let testApp: TestApp;
  let team: SeededAccount;
  let integration: IntegrationChangedPayload;
  let reader: OutputReader;
  let groupPrefix: string;
  let from: Map<string, bigint>;
  const clickIds = [newClickId(), newClickId(), newClickId()];
  const postbacks: PostbackReceivedEvent[] = [];

  const options = () => ({
    databaseUrl: testApp.config.databaseUrl,
    brokers: testApp.config.kafkaBrokers,
    groupPrefix,
    from,
    out: () => undefined,
    progress: { write: () => true },
  });
  const views = async () => ({
    funnel: (await api(testApp.baseUrl, `/api/funnel?integrationId=${integration.id}`, team.apiKey))
      .body,
    journeys: await Promise.all(
      clickIds.map(
        async (id) => (await api(testApp.baseUrl, `/api/clicks/${id}`, team.apiKey)).body,
      ),
    ),
  });
  const published = () =>
    postbacks.map((p) => [reader.outcomesOf(p.id).length, reader.conversionsOf(p.id).length]);

  beforeAll(async () => {
    team = await seedAccount('Replay attribution team');
    integration = await seedIntegration(team.account.id);
    groupPrefix = `test.replay-attribution.${randomBytes(4).toString('hex')}`;
    from = await liveGroupsAtEnd([`${groupPrefix}.${ATTRIBUTION_GROUP}`], ATTRIBUTION_TOPICS);
    reader = await new OutputReader().start();
    testApp = await startTestApp({
      name: 'replay-attribution',
      features: [AttributionModule],
      groupPrefix,
    });
    // A history holding what PostgreSQL refuses and prototype member names (SPEC section 9):
    // the live model and its replay store U+FFFD alike.
    await publish(
      clickIds.map((clickId, n) =>
        clickRegistered(
          team.account.id,
          n === 2
            ? {
                clickId,
                campaign: 'a\0b',
                source: '\ud800',
                params: JSON.parse('{"__proto__":"p","constructor":"c","x\\u0000":"\\udc00"}'),
              }
            : { clickId },
        ),
      ),
    );
    for (const clickId of clickIds) {
      postbacks.push(
        postbackReceived(integration, { 'tracker.event': 'registration', click_id: clickId }),
        postbackReceived(integration, {
          'tracker.event': 'resale',
          click_id: clickId,
          sumdep: '10',
        }),
        postbackReceived(integration, {
          'tracker.event': 'resale',
          click_id: clickId,
          sumdep: '7',
          'tracker.tid': 'T-7',
        }),
        // A chargeback of the RD, then the same chargeback again (a duplicate).
        postbackReceived(integration, {
          'tracker.event': 'resale',
          click_id: clickId,
          'tracker.tid': 'T-7',
          status: 'chargeback',
        }),
        postbackReceived(integration, {
          'tracker.event': 'resale',
          click_id: clickId,
          'tracker.tid': 'T-7',
          status: 'refund',
        }),
      );
    }
    // One for a click that never arrives, one for an event the integration does not know.
    postbacks.push(
      postbackReceived(integration, {
        'tracker.event': 'resale',
        click_id: clickIds[2],
        sumdep: '3',
        'tracker.tid': 'x\0y',
        'fields.a': 'x\0\ud800y',
        'fields.constructor': 'c',
      }),
      postbackReceived(integration, { 'tracker.event': 'registration', click_id: newClickId() }),
      postbackReceived(integration, { 'tracker.event': 'nope', click_id: clickIds[0] }),
    );
    await publish(postbacks);
    await eventually(() => {
      for (const p of postbacks) expect(reader.outcomesOf(p.id).length).toBeGreaterThan(0);
      // 3 clicks × (registration, two deposits, one chargeback) + the deposit with a NUL tid.
      expect(postbacks.filter((p) => reader.conversionsOf(p.id).length > 0)).toHaveLength(13);
    });
    // Attribution instances of other suites judge these shared-topic postbacks too: let them finish.
    let last = JSON.stringify(published());
    for (let quiet = 0; quiet < 3;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = JSON.stringify(published());
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
  });

  afterAll(async () => {
    await testApp?.close();
    await reader?.stop();
    await closeSeedProducer();
  });

  it('rebuilds clicks and conversions without publishing anything again', async () => {
    const before = await views();
    expect((before.funnel as { rows: unknown[] }).rows[0]).toMatchObject({
      reversals: 3,
      reversedAmount: { USD: '21' },
      // 3 clicks × (10 + 7 − 7 reversed) + the deposit of 3 with a NUL tid.
      netDepositAmount: { USD: '33' },
    });
    const publishedBefore = published();
    const first = runReplay(attributionReplay(), options());
    await waitForReplayLock(testApp.config.databaseUrl, 'attribution');
    await expect(runReplay(attributionReplay(), options())).rejects.toThrow(
      /a replay of attribution is already running/,
    );
    await expect(runReplay(attributionReplay(), options())).rejects.toBeInstanceOf(
      ReplayRefusedError,
    );
    const result = await first;
    expect(result.comparison.map((table) => table.equal)).toEqual([true, true]);
    expect(await views()).toEqual(before);
    expect(before.journeys[2]).toMatchObject({
      campaign: 'a\ufffdb',
      source: '\ufffd',
      params: { constructor: 'c', 'x\ufffd': '\ufffd' },
      fields: { a: 'x\ufffd\ufffdy', constructor: 'c' },
    });
    expect(Object.keys((before.journeys[2] as { params: object }).params)).toContain('__proto__');

    const db = new Client({ connectionString: testApp.config.databaseUrl });
    await db.connect();
    try {
      // Other suites' events keep arriving in the live model: compare our tenant's rows.
      const ours = attributionReplay().compare.map((table) => ({
        ...table,
        where: `account_id = '${team.account.id}'`,
      }));
      const equal = await compareSchemas(db, result.oldSchema, 'attribution', ours);
      expect(equal.every((table) => table.equal && table.liveRows > 0)).toBe(true);
      // Our outcomes are in the rebuilt outbox, all as already published (a postback read
      // before its click is judged twice, as live would have: the rows differ, never the ids).
      const { rows } = await db.query(
        `SELECT event_id FROM attribution.outbox
          WHERE event->'payload'->>'postbackId' = ANY($1::text[]) AND published_at IS NULL`,
        [postbacks.map((p) => p.id)],
      );
      expect(rows).toEqual([]);
      // Every event the live model published has its row, with the same id, in the rebuilt
      // outbox; only an interim "unmatched" outcome (postback read before its click) may differ.
      const missing = await db.query(
        `SELECT o.event_id FROM "${result.oldSchema}".outbox o
          WHERE o.event->'payload'->>'postbackId' = ANY($1::text[])
            AND NOT EXISTS (SELECT 1 FROM attribution.outbox n WHERE n.event_id = o.event_id)
            AND NOT (o.event->'payload'->>'status' = 'unmatched' AND EXISTS (
              SELECT 1 FROM attribution.postbacks p
               WHERE p.postback_id::text = o.event->'payload'->>'postbackId'
                 AND p.status <> 'unmatched'))`,
        [postbacks.map((p) => p.id)],
      );
      expect(missing.rows).toEqual([]);
    } finally {
      await db.end();
    }

    // The live consumer judges into the new tables and its relay publishes from them.
    const lateClick = newClickId();
    await publish([clickRegistered(team.account.id, { clickId: lateClick })]);
    const late = postbackReceived(integration, {
      'tracker.event': 'registration',
      click_id: lateClick,
    });
    await publish([late]);
    await eventually(() => expect(reader.conversionsOf(late.id)).toHaveLength(1));
    const journey = await api<{ events: unknown[] }>(
      testApp.baseUrl,
      `/api/clicks/${lateClick}`,
      team.apiKey,
    );
    expect(journey.body.events).toHaveLength(1);
    // Once the relay has run after the switch, the topics still hold each outcome once.
    expect(published()).toEqual(publishedBefore);
  });
});
