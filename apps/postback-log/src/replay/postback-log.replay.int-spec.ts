import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { AnyEvent, createEvent, PostbackReceivedEvent, Topics } from '@tracker/contracts';
import {
  compareSchemas,
  ReplayRefusedError,
  replayLockKey,
  runReplay,
  switchLockKey,
} from '@tracker/replay';
import {
  closeSeedProducer,
  eventually,
  seedAccount,
  SeededAccount,
  seedIntegration,
  seedProducer,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import {
  liveGroupsAtEnd,
  runReplayCommand,
  waitForReplayLock,
} from '../../../../libs/replay/test/replay-test-kit';
import { PostbackLogModule } from '../postback-log.module';
import { POSTBACK_LOG_TOPICS } from '../projection/postback-log.projection';
import type { PostbackLogItem } from '../query/postback-log-item';
import { postbackLogReplay } from './postback-log.replay';

interface Page {
  items: PostbackLogItem[];
  nextCursor: string | null;
}

/**
 * What a partner may send (SPEC section 9), in the history the replay reads: a click id longer
 * than a btree entry, NUL and lone surrogates in names and values, prototype member names.
 */
const HOSTILE: Record<number, { clickId?: string; query?: Record<string, string> }> = {
  1: { clickId: randomBytes(1500).toString('hex') },
  2: { query: { 'tracker.tid': 'x\0y', 'a\0': '\0' } },
  4: { query: { 'fields.a': '\ud800', '\udc00': 'b' } },
  5: { query: JSON.parse('{"__proto__":"p","constructor":"c","toString":"t"}') },
};

function postback(accountId: string, integrationId: string, n: number): PostbackReceivedEvent {
  const clickId = HOSTILE[n]?.clickId ?? randomBytes(6).toString('hex');
  const query: Record<string, string> = {
    'tracker.event': n % 2 ? 'reg' : 'ftd',
    click_id: clickId,
    sumdep: `${n}.50`,
    ...HOSTILE[n]?.query,
  };
  return createEvent(
    'PostbackReceived',
    {
      method: 'GET',
      url: `/api/postbacks/${integrationId}/tracker-postback?${new URLSearchParams(query)}`,
      query,
      body: null,
      remoteAddress: '203.0.113.7',
      userAgent: 'replay-spec',
      event: query['tracker.event'],
      clickId,
      receivedAt: new Date(Date.now() - 60_000 + n * 10).toISOString(),
    },
    { accountId, integrationId, correlationId: clickId },
  );
}

async function publish(events: AnyEvent[]): Promise<void> {
  const producer = await seedProducer();
  await producer.publishMany(
    Topics.Postbacks,
    events
      .filter((e) => e.type === 'PostbackReceived')
      .map((event) => ({ event, key: event.correlationId ?? event.integrationId! })),
  );
  await producer.publishMany(
    Topics.PostbackOutcomes,
    events
      .filter((e) => e.type === 'PostbackProcessed')
      .map((event) => ({ event, key: event.correlationId ?? event.integrationId! })),
  );
}

describe('replay postback-log (Kafka + PostgreSQL)', () => {
  let testApp: TestApp;
  let team: SeededAccount;
  let integrationId: string;
  let groupPrefix: string;
  let from: Map<string, bigint>;
  const posted: PostbackReceivedEvent[] = [];

  // Attribution instances of other suites judge these postbacks too, so statuses may move on.
  const stable = (page: Page) =>
    page.items.map(({ id, receivedAt, url, params, clickId, event, integrationName }) => ({
      id,
      receivedAt,
      url,
      params,
      clickId,
      event,
      integrationName,
    }));
  const list = async (): Promise<Page> => {
    const response = await fetch(`${testApp.baseUrl}/api/postback-logs?limit=500`, {
      headers: { authorization: `Bearer ${team.apiKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Page;
  };
  const options = () => ({
    databaseUrl: testApp.config.databaseUrl,
    brokers: testApp.config.kafkaBrokers,
    groupPrefix,
    from,
    out: () => undefined,
    progress: { write: () => true },
  });

  beforeAll(async () => {
    team = await seedAccount('Replay log team');
    integrationId = (await seedIntegration(team.account.id)).id;
    groupPrefix = `test.replay-log.${randomBytes(4).toString('hex')}`;
    from = await liveGroupsAtEnd([`${groupPrefix}.postback-log.projection`], POSTBACK_LOG_TOPICS);
    testApp = await startTestApp({
      name: 'replay-log',
      features: [PostbackLogModule],
      groupPrefix,
    });
    const events: AnyEvent[] = [];
    for (let n = 0; n < 40; n++) {
      const received = postback(team.account.id, integrationId, n);
      posted.push(received);
      events.push(received);
      if (n % 3 === 0) {
        events.push(
          createEvent(
            'PostbackProcessed',
            {
              postbackId: received.id,
              status: n % 2 ? 'duplicate' : 'rejected',
              errorCode: n % 2 ? 'duplicate' : 'invalid_amount',
              error: n % 2 ? null : 'bad amount',
              conversionId: null,
              conversion: null,
              clickId: received.payload.clickId,
            },
            {
              accountId: team.account.id,
              integrationId,
              causationId: received.id,
              correlationId: received.payload.clickId,
            },
          ),
        );
      }
    }
    await publish(events);
    await eventually(async () => {
      const page = await list();
      expect(page.items).toHaveLength(40);
      const hostile = page.items.find((item) => item.id === posted[2].id)!;
      expect(hostile.params).toMatchObject({ 'tracker.tid': 'x\ufffdy', 'a\ufffd': '\ufffd' });
      expect(page.items.filter((item) => item.status === 'rejected').length).toBeGreaterThan(0);
    });
  });

  afterAll(async () => {
    await testApp?.close();
    await closeSeedProducer();
  });

  it('rebuilds the log, switches while the API serves, and refuses a second replay', async () => {
    const before = await list();
    const first = runReplay(postbackLogReplay(), options());
    await waitForReplayLock(testApp.config.databaseUrl, 'postback-log');
    await expect(runReplay(postbackLogReplay(), options())).rejects.toThrow(ReplayRefusedError);
    // The API answers from the old tables while the replay runs.
    expect(stable(await list())).toEqual(stable(before));
    const result = await first;

    expect(result.comparison.every((table) => table.equal)).toBe(true);
    expect(stable(await list())).toEqual(stable(before));
    const db = new Client({ connectionString: testApp.config.databaseUrl });
    await db.connect();
    try {
      // Every column, the projection-time integration name included, equals the old tables'.
      const [log] = postbackLogReplay().compare;
      const all = [
        {
          ...log,
          columns: [...log.columns, 'integration_name'],
          // Other suites' postbacks keep arriving in the live model: compare our tenant's rows.
          where: `account_id = '${team.account.id}'`,
        },
      ];
      const equal = await compareSchemas(db, result.oldSchema, 'postback_log', all);
      expect(equal[0]).toMatchObject({ equal: true, liveRows: equal[0].replayRows });
      const leftovers = await db.query(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'postback\\_log\\_\\_%'`,
      );
      expect(leftovers.rows.map((r: { nspname: string }) => r.nspname)).toEqual([result.oldSchema]);
      // Autovacuum is off only while the replay loads: the switched-in table has it back.
      const options = await db.query(
        `SELECT c.reloptions FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'postback_log' AND c.relname = 'postback_logs'`,
      );
      expect(options.rows).toEqual([{ reloptions: null }]);

      // The API reads the renamed tables: a change made only there shows.
      const probe = posted[5].id;
      await db.query(`UPDATE postback_log.postback_logs SET method = 'PROBE' WHERE id = $1`, [
        probe,
      ]);
      expect((await list()).items.find((item) => item.id === probe)?.method).toBe('PROBE');
    } finally {
      await db.end();
    }

    // The live consumer keeps projecting into the new tables.
    const late = postback(team.account.id, integrationId, 99);
    await publish([late]);
    await eventually(async () =>
      expect((await list()).items.map((item) => item.id)).toContain(late.id),
    );
  });

  it('exits non-zero with a clear message when the model is already being replayed', async () => {
    const holder = new Client({
      connectionString: testApp.config.databaseUrl,
      application_name: 'tracker-replay:postback-log:pid=4242@ops-host',
    });
    await holder.connect();
    try {
      const { classId, objectId } = replayLockKey('postback-log');
      await holder.query('SELECT pg_advisory_lock($1, $2)', [classId, objectId]);
      const run = await runReplayCommand('postback-log', {
        DATABASE_URL: testApp.config.databaseUrl,
        KAFKA_BROKERS: testApp.config.kafkaBrokers.join(','),
        KAFKA_GROUP_PREFIX: groupPrefix,
        TRACKER_ADMIN_TOKEN: testApp.config.adminToken,
      });
      expect(run.code).toBe(3);
      expect(run.stderr).toContain(
        'a replay of postback-log is already running (pid 4242 on ops-host',
      );
    } finally {
      await holder.end();
    }
    // The live writer's shared lock and a replay's exclusive one are distinct from the replay lock.
    expect(switchLockKey('postback-log')).not.toEqual(replayLockKey('postback-log'));
  });
});
