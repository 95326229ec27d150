/**
 * Scale-out (SPEC section 6): any app runs as N processes in one consumer group. Two processes
 * each of `postback-log` and `attribution` consume a scripted stream; one of each is SIGKILLed
 * mid-stream. Their read models and `tracker.conversions.v1` must equal those of a run with one
 * process per app over the same events.
 */
import { randomBytes } from 'node:crypto';
import { AnyEvent, conversionRecordedId, Topics } from '@tracker/contracts';
import {
  closeSeedProducer,
  createTestDatabase,
  eventually,
  seedAccount,
  SeededAccount,
  seedIntegration,
  seedProducer,
} from '@tracker/testing';
import { AppProcess } from './support/app-process';
import { Kafka, startGroupsAtEnd, testKafka, topicEnds } from '@tracker/testing';
import { buildWorkload, Expected, Workload } from './support/scale-out-workload';
import { TopicTail } from '@tracker/testing';

const CLICKS_PER_INTEGRATION = 250;
const GROUPS = {
  'postback-log.projection': [Topics.Postbacks, Topics.PostbackOutcomes],
  attribution: [Topics.Clicks, Topics.Postbacks],
};
/** The broker's minimum: a killed replica's partitions move after 6 s, not 30 s. */
const PROCESS_ENV = { KAFKA_SESSION_TIMEOUT_MS: '6000' };

interface LogEntry {
  status: string;
  errorCode: string | null;
  error: string | null;
  conversion: unknown;
}

interface RunResult {
  log: Map<string, LogEntry>;
  journeys: Map<string, unknown>;
  funnels: Map<string, unknown>;
  /** ConversionRecorded messages this run put on the topic, per event id (ours only). */
  conversions: Map<string, number>;
}

describe('scale-out: two replicas per app, one of each SIGKILLed mid-stream', () => {
  const run = randomBytes(4).toString('hex');
  const adminToken = `scale-out-admin-${randomBytes(12).toString('hex')}`;
  const processes: AppProcess[] = [];
  let kafka: Kafka;
  let team: SeededAccount;
  let integrationIds: string[];
  let workload: Workload;
  let conversions: TopicTail;
  let expectedConversions: Set<string>;
  let counted = 0;

  const get = async <T>(baseUrl: string, path: string): Promise<T> => {
    const response = await fetch(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${team.apiKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  const start = async (label: string, app: string, databaseUrl: string, groupPrefix: string) => {
    const child = await AppProcess.start(label, {
      app,
      databaseUrl,
      groupPrefix,
      adminToken,
      env: PROCESS_ENV,
    });
    processes.push(child);
    return child;
  };

  /** Every postback of the test's account as the log API shows it. */
  const readLog = async (baseUrl: string): Promise<Map<string, LogEntry>> => {
    const log = new Map<string, LogEntry>();
    let cursor: string | null = null;
    do {
      const page: {
        items: Array<LogEntry & { id: string }>;
        nextCursor: string | null;
      } = await get(
        baseUrl,
        `/api/postback-logs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const { id, status, errorCode, error, conversion } of page.items) {
        log.set(id, { status, errorCode, error, conversion });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return log;
  };

  /** Waits until the log shows the scripted final status of every postback. */
  const settledLog = (baseUrl: string) =>
    eventually(
      async () => {
        const log = await readLog(baseUrl);
        const wrong: string[] = [];
        for (const [id, want] of workload.expected) {
          const got = log.get(id);
          if (got?.status !== want.status || got.errorCode !== want.errorCode) {
            wrong.push(
              `${id}: ${got?.status}/${got?.errorCode}, want ${want.status}/${want.errorCode}`,
            );
          }
        }
        expect({ missing: wrong.length, first: wrong.slice(0, 3) }).toEqual({
          missing: 0,
          first: [],
        });
        expect(log.size).toBe(workload.expected.size);
        return log;
      },
      { timeoutMs: 45000, intervalMs: 250 },
    );

  const readAttribution = async (baseUrl: string) => {
    const journeys = new Map<string, unknown>();
    for (let i = 0; i < workload.clickIds.length; i += 25) {
      const slice = workload.clickIds.slice(i, i + 25);
      const bodies = await Promise.all(slice.map((id) => get(baseUrl, `/api/clicks/${id}`)));
      slice.forEach((id, j) => journeys.set(id, bodies[j]));
    }
    const funnels = new Map<string, unknown>();
    for (const id of integrationIds) {
      funnels.set(id, await get(baseUrl, `/api/funnel?integrationId=${id}&groupBy=day`));
    }
    return { journeys, funnels };
  };

  /** ConversionRecorded of our postbacks read since the previous call, once the topic is read up to now. */
  const newConversions = async (): Promise<Map<string, number>> => {
    const ends = await topicEnds(kafka, [Topics.Conversions]);
    await eventually(() => expect(conversions.reached(ends)).toBe(true), { timeoutMs: 15000 });
    const events = conversions.events();
    const counts = new Map<string, number>();
    for (const event of events.slice(counted)) {
      if (event.type === 'ConversionRecorded' && expectedConversions.has(event.id)) {
        counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
      }
    }
    counted = events.length;
    return counts;
  };

  const waitForConversions = () =>
    eventually(
      () => {
        const seen = new Set(
          conversions
            .events()
            .slice(counted)
            .map((e: AnyEvent) => e.id),
        );
        expect([...expectedConversions].filter((id) => !seen.has(id))).toHaveLength(0);
      },
      { timeoutMs: 30000, intervalMs: 200 },
    );

  /** The groups have settled with this many members (partitions split between them). */
  const waitForMembers = async (groupIds: string[], members: number) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await eventually(
        async () => {
          const { groups } = await admin.describeGroups(groupIds);
          for (const group of groups) {
            expect({
              id: group.groupId,
              state: group.state,
              members: group.members.length,
            }).toEqual({
              id: group.groupId,
              state: 'Stable',
              members,
            });
          }
        },
        { timeoutMs: 30000, intervalMs: 200 },
      );
    } finally {
      await admin.disconnect();
    }
  };

  beforeAll(async () => {
    kafka = testKafka('scale-out-test');
    team = await seedAccount('Scale-out team');
    const integrations = await Promise.all([
      seedIntegration(team.account.id),
      seedIntegration(team.account.id),
    ]);
    integrationIds = integrations.map((i) => i.id);
    workload = buildWorkload(integrations, CLICKS_PER_INTEGRATION);
    expectedConversions = new Set(
      [...workload.expected]
        .filter(([, want]: [string, Expected]) => want.status === 'attributed')
        .map(([postbackId]) => conversionRecordedId(postbackId)),
    );
    conversions = await new TopicTail(kafka, Topics.Conversions).start();
  });

  afterAll(async () => {
    for (const child of processes) child.kill('SIGKILL');
    await conversions?.stop();
    await closeSeedProducer();
  });

  it('ends with the read models and conversions of a single-process run', async () => {
    const scaledPrefix = `test.scale-out.${run}.scaled`;
    const singlePrefix = `test.scale-out.${run}.single`;
    // Both runs start where the scripted stream starts, not at the shared topics' history.
    await Promise.all([
      startGroupsAtEnd(kafka, scaledPrefix, GROUPS),
      startGroupsAtEnd(kafka, singlePrefix, GROUPS),
    ]);
    const [scaledLogDb, scaledAttributionDb, singleLogDb, singleAttributionDb] = await Promise.all(
      ['scale_log', 'scale_attr', 'single_log', 'single_attr'].map((l) => createTestDatabase(l)),
    );

    // Scaled run: two replicas per app share a database and a consumer group.
    const [logA, logB, attributionA, attributionB] = await Promise.all([
      start('postback-log#1', 'postback-log', scaledLogDb, scaledPrefix),
      start('postback-log#2', 'postback-log', scaledLogDb, scaledPrefix),
      start('attribution#1', 'attribution', scaledAttributionDb, scaledPrefix),
      start('attribution#2', 'attribution', scaledAttributionDb, scaledPrefix),
    ]);
    const scaledGroups = [`${scaledPrefix}.postback-log.projection`, `${scaledPrefix}.attribution`];
    await waitForMembers(scaledGroups, 2);

    // The stream arrives over a few seconds, so the kill lands while messages are in flight.
    const producer = await seedProducer();
    let published = 0;
    const publishing = (async () => {
      for (let i = 0; i < workload.steps.length; i += 150) {
        const chunk = workload.steps.slice(i, i + 150);
        await Promise.all(
          [Topics.Clicks, Topics.Postbacks].map((topic) =>
            producer.publishMany(
              topic,
              chunk.filter((s) => s.topic === topic).map(({ event, key }) => ({ event, key })),
            ),
          ),
        );
        published += chunk.length;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await eventually(
      async () => {
        const page = await get<{ items: unknown[] }>(
          logB.baseUrl,
          '/api/postback-logs?status=attributed&limit=1',
        );
        expect(page.items).toHaveLength(1);
      },
      { timeoutMs: 30000, intervalMs: 25 },
    );
    const publishedAtKill = published;
    logA.kill('SIGKILL');
    attributionA.kill('SIGKILL');
    await publishing;
    expect(publishedAtKill).toBeLessThan(workload.steps.length);

    const scaledLog = await settledLog(logB.baseUrl);
    // The survivors took the dead members' partitions over (their share of the stream was projected).
    await waitForMembers(scaledGroups, 1);
    await waitForConversions();
    const scaledAttribution = await readAttribution(attributionB.baseUrl);
    await Promise.all([logB.stop(), attributionB.stop()]);
    expect([logA.signal, attributionA.signal]).toEqual(['SIGKILL', 'SIGKILL']);
    const scaled: RunResult = {
      log: scaledLog,
      ...scaledAttribution,
      conversions: await newConversions(),
    };

    // Single-process run over the same events.
    const [log, attribution] = await Promise.all([
      start('postback-log', 'postback-log', singleLogDb, singlePrefix),
      start('attribution', 'attribution', singleAttributionDb, singlePrefix),
    ]);
    const singleLog = await settledLog(log.baseUrl);
    await waitForConversions();
    const singleAttribution = await readAttribution(attribution.baseUrl);
    await Promise.all([log.stop(), attribution.stop()]);
    const single: RunResult = {
      log: singleLog,
      ...singleAttribution,
      conversions: await newConversions(),
    };

    // Not two empty models: every attributed postback is on its click's journey.
    const journeyEvents = [...single.journeys.values()].reduce(
      (n: number, journey) => n + (journey as { events: unknown[] }).events.length,
      0,
    );
    expect(journeyEvents).toBe(expectedConversions.size);
    expect(Object.fromEntries(scaled.log)).toEqual(Object.fromEntries(single.log));
    expect(Object.fromEntries(scaled.journeys)).toEqual(Object.fromEntries(single.journeys));
    expect(Object.fromEntries(scaled.funnels)).toEqual(Object.fromEntries(single.funnels));

    // Every attributed postback is converted exactly once per run; the scaled run may repeat an
    // id only if the kill fell between the relay's publish and its mark (same id, same event).
    expect([...single.conversions.keys()].sort()).toEqual([...expectedConversions].sort());
    expect([...scaled.conversions.keys()].sort()).toEqual([...expectedConversions].sort());
    expect([...single.conversions.values()].every((n) => n === 1)).toBe(true);
    const repeated = [...scaled.conversions.values()].filter((n) => n > 1).length;
    expect(repeated).toBeLessThanOrEqual(500);
    process.stdout.write(
      `scale-out: ${workload.steps.length} events, kill after ${publishedAtKill} published; ` +
        `${expectedConversions.size} conversions per run, ${repeated} repeated by the crash ` +
        `(tail re-fetched ${conversions.rereads} after rejoins, ignored)\n`,
    );
  }, 180000);
});
