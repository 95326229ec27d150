import { getDataSourceToken } from '@nestjs/typeorm';
import {
  AnyEvent,
  createEvent,
  PostbackConversionSummary,
  PostbackErrorCode,
  PostbackProcessedEvent,
  PostbackReceivedEvent,
  ProcessedPostbackStatus,
  Topics,
  uuidV7,
} from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import {
  closeSeedProducer,
  eventually,
  publishIntegration,
  seedAccount,
  SeededAccount,
  seedIntegration,
  seedProducer,
  startTestApp,
  TestApp,
} from '@tracker/testing';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { POSTBACK_LOG_APP } from './postback-log.database';
import { PostbackLogModule } from './postback-log.module';
import { PostbackLogProjection } from './projection/postback-log.projection';
import { PostbackLogWriter } from './projection/postback-log.writer';
import type { PostbackLogItem } from './query/postback-log-item';

interface Page {
  items: PostbackLogItem[];
  nextCursor: string | null;
}

const clickId = () => randomBytes(6).toString('hex');

interface PostbackInput {
  accountId: string;
  integrationId: string;
  event?: string | null;
  clickId?: string | null;
  receivedAt?: string;
  query?: Record<string, string | string[]>;
  body?: Record<string, unknown> | null;
}

function postback(input: PostbackInput): PostbackReceivedEvent {
  const click = input.clickId === undefined ? clickId() : input.clickId;
  const event = input.event === undefined ? 'reg' : input.event;
  const query: Record<string, string | string[]> = input.query ?? {
    ...(event !== null && { 'tracker.event': event }),
    ...(click !== null && { click_id: click }),
  };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  return createEvent(
    'PostbackReceived',
    {
      method: input.body ? 'POST' : 'GET',
      url: `/api/postbacks/${input.integrationId}/tracker-postback?${search.toString()}`,
      query,
      body: input.body ?? null,
      remoteAddress: '203.0.113.7',
      userAgent: 'spec',
      event,
      clickId: click,
      receivedAt: input.receivedAt ?? new Date().toISOString(),
    },
    { accountId: input.accountId, integrationId: input.integrationId, correlationId: click },
  );
}

function outcome(
  of: PostbackReceivedEvent,
  status: ProcessedPostbackStatus,
  errorCode: PostbackErrorCode | null,
  error: string | null,
  extra: { conversion?: PostbackConversionSummary | null; occurredAt?: string } = {},
): PostbackProcessedEvent {
  return createEvent(
    'PostbackProcessed',
    {
      postbackId: of.id,
      status,
      errorCode,
      error,
      conversionId: status === 'attributed' ? uuidV7() : null,
      conversion: extra.conversion ?? null,
      clickId: of.payload.clickId,
    },
    {
      accountId: of.accountId,
      integrationId: of.integrationId,
      causationId: of.id,
      occurredAt: extra.occurredAt,
    },
  );
}

async function publish(...events: AnyEvent[]): Promise<void> {
  const producer = await seedProducer();
  for (const event of events) {
    const topic = event.type === 'PostbackReceived' ? Topics.Postbacks : Topics.PostbackOutcomes;
    const key = event.correlationId ?? event.integrationId ?? event.accountId;
    await producer.publish(topic, event, key);
  }
}

describe('postback log (Kafka + PostgreSQL)', () => {
  let testApp: TestApp;
  let alice: SeededAccount;
  let bob: SeededAccount;
  let aliceIntegration: string;
  let bobIntegration: string;
  let projection: PostbackLogProjection;
  let dataSource: DataSource;

  const get = async (apiKey: string, path: string) => {
    const response = await fetch(`${testApp.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const item = async (apiKey: string, id: string) => {
    const response = await get(apiKey, `/api/postback-logs/${id}`);
    expect(response.status).toBe(200);
    return response.body as PostbackLogItem;
  };
  const list = async (apiKey: string, query: Record<string, string | number>) => {
    const search = new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, String(v)] as [string, string]),
    );
    const response = await get(apiKey, `/api/postback-logs?${search.toString()}`);
    expect(response.status).toBe(200);
    return response.body as Page;
  };

  beforeAll(async () => {
    alice = await seedAccount('Alice team');
    bob = await seedAccount('Bob team');
    aliceIntegration = (await seedIntegration(alice.account.id, { name: 'Pocket A' })).id;
    bobIntegration = (await seedIntegration(bob.account.id, { name: 'Pocket B' })).id;
    testApp = await startTestApp({ name: 'postback-log', features: [PostbackLogModule] });
    projection = testApp.app.get(PostbackLogProjection);
    dataSource = testApp.app.get<DataSource>(getDataSourceToken(POSTBACK_LOG_APP));
  });

  afterAll(async () => {
    await testApp?.close();
    await closeSeedProducer();
  });

  it('shows every status and error code with its explanation', async () => {
    const base = { accountId: alice.account.id, integrationId: aliceIntegration };
    const conversion: PostbackConversionSummary = {
      stage: 'first_deposit',
      ordinal: 1,
      amount: '50.00',
      currency: 'USD',
    };
    const cases: Array<{
      postback: PostbackReceivedEvent;
      outcome?: [ProcessedPostbackStatus, PostbackErrorCode | null, string | null];
      conversion?: PostbackConversionSummary;
    }> = [
      { postback: postback(base), outcome: ['attributed', null, null], conversion },
      {
        postback: postback(base),
        outcome: ['duplicate', 'duplicate', 'registration already counted for this click'],
      },
      {
        postback: postback(base),
        outcome: ['unmatched', 'click_not_found', "click 'abc' not found"],
      },
      {
        postback: postback({ ...base, clickId: null }),
        outcome: [
          'rejected',
          'click_id_missing',
          "click id missing: expected parameter 'click_id'",
        ],
      },
      {
        postback: postback({ ...base, event: null }),
        outcome: ['rejected', 'event_missing', "event missing: expected parameter 'tracker.event'"],
      },
      {
        postback: postback({ ...base, event: 'first_deposit_' }),
        outcome: [
          'rejected',
          'unknown_event',
          "unknown event 'first_deposit_' (configured: registration, conf, resale)",
        ],
      },
      {
        postback: postback(base),
        outcome: ['rejected', 'invalid_amount', "invalid amount 'abc'"],
      },
      {
        postback: postback(base),
        outcome: ['rejected', 'invalid_currency', "invalid currency 'US'"],
      },
      { postback: postback(base) },
    ];
    await publish(...cases.map((c) => c.postback));
    await publish(
      ...cases.flatMap((c) =>
        c.outcome ? [outcome(c.postback, ...c.outcome, { conversion: c.conversion ?? null })] : [],
      ),
    );

    for (const c of cases) {
      await eventually(async () => {
        const shown = await item(alice.apiKey, c.postback.id);
        expect(shown).toEqual({
          id: c.postback.id,
          receivedAt: c.postback.payload.receivedAt,
          integrationId: aliceIntegration,
          integrationName: 'Pocket A',
          event: c.postback.payload.event,
          clickId: c.postback.payload.clickId,
          status: c.outcome?.[0] ?? 'received',
          errorCode: c.outcome?.[1] ?? null,
          error: c.outcome?.[2] ?? null,
          url: c.postback.payload.url,
          method: 'GET',
          params: c.postback.payload.query,
          body: null,
          contentType: null,
          paramsUsedAs: {},
          errorDetail: null,
          remoteAddress: '203.0.113.7',
          userAgent: 'spec',
          clickedAt: null,
          conversion: c.conversion ?? null,
        });
      });
    }
    const rejected = await list(alice.apiKey, { status: 'rejected', limit: 500 });
    const codes = rejected.items.map((i) => i.errorCode).sort();
    expect(codes).toEqual(
      expect.arrayContaining([
        'click_id_missing',
        'event_missing',
        'invalid_amount',
        'invalid_currency',
        'unknown_event',
      ]),
    );
    expect(rejected.items.every((i) => i.status === 'rejected')).toBe(true);
    // An outcome without a conversion stores SQL NULL, not a JSON null the API would hide.
    const stored: Array<{ conversion_is_null: boolean }> = await dataSource.query(
      `SELECT conversion IS NULL AS conversion_is_null FROM postback_log.postback_logs
        WHERE id = ANY($1::uuid[])`,
      [rejected.items.map((i) => i.id)],
    );
    expect(stored.length).toBe(rejected.items.length);
    expect(stored.every((row) => row.conversion_is_null)).toBe(true);
  });

  it('explains a verdict: body as received, content type, sender, parameter uses, error detail, click time', async () => {
    const base = { accountId: alice.account.id, integrationId: aliceIntegration };
    const raw = '{"click_id": abc, "sumdep": 30.00,}';
    const broken = postback({ ...base, clickId: null, query: { 'tracker.event': 'resale' } });
    Object.assign(broken.payload, {
      method: 'POST',
      contentType: 'application/json',
      bodyError: 'body is not valid JSON',
      rawBody: raw,
    });
    const judged = outcome(broken, 'rejected', 'invalid_body', 'invalid body: …');
    Object.assign(judged.payload, {
      errorDetail: { param: null, value: raw, cause: 'unparseable_body' },
      paramsUsedAs: { 'tracker.event': 'event' },
    });
    const good = postback({ ...base, body: { sumdep: 30 } });
    const attributed = outcome(good, 'attributed', null, null, {
      conversion: { stage: 'registration', ordinal: null, amount: null, currency: null },
    });
    Object.assign(attributed.payload, {
      paramsUsedAs: { 'tracker.event': 'event', click_id: 'clickId', sumdep: null },
      clickedAt: '2026-11-24T04:41:17.250Z',
    });
    await publish(broken, good, judged, attributed);
    await eventually(async () => {
      expect(await item(alice.apiKey, broken.id)).toMatchObject({
        status: 'rejected',
        errorCode: 'invalid_body',
        body: raw,
        contentType: 'application/json',
        errorDetail: { param: null, value: raw, cause: 'unparseable_body' },
        paramsUsedAs: { 'tracker.event': 'event' },
        clickedAt: null,
        remoteAddress: '203.0.113.7',
        userAgent: 'spec',
      });
      expect(await item(alice.apiKey, good.id)).toMatchObject({
        status: 'attributed',
        body: { sumdep: 30 },
        paramsUsedAs: { 'tracker.event': 'event', click_id: 'clickId', sumdep: null },
        errorDetail: null,
        clickedAt: '2026-11-24T04:41:17.250Z',
      });
    });
  });

  it('keeps an outcome that arrives before its postback, and the latest outcome wins', async () => {
    const base = { accountId: alice.account.id, integrationId: aliceIntegration };
    const late = postback(base);
    const unmatched = outcome(late, 'unmatched', 'click_not_found', 'no click yet', {
      occurredAt: '2026-01-01T00:00:01.000Z',
    });
    const attributed = outcome(late, 'attributed', null, null, {
      occurredAt: '2026-01-01T00:00:02.000Z',
      conversion: { stage: 'registration', ordinal: null, amount: null, currency: null },
    });

    await projection.writer.write([attributed]);
    expect((await get(alice.apiKey, `/api/postback-logs/${late.id}`)).status).toBe(404);
    await projection.writer.write([unmatched]); // older, delivered later: must not win
    await projection.writer.write([late]);
    expect(await item(alice.apiKey, late.id)).toMatchObject({
      status: 'attributed',
      errorCode: null,
      error: null,
      clickId: late.payload.clickId,
      conversion: { stage: 'registration', ordinal: null, amount: null, currency: null },
    });

    // Late click: unmatched first, attributed later, through Kafka.
    const lateClick = postback(base);
    await publish(
      lateClick,
      outcome(lateClick, 'unmatched', 'click_not_found', 'click not found yet'),
    );
    await eventually(async () =>
      expect((await item(alice.apiKey, lateClick.id)).status).toBe('unmatched'),
    );
    await publish(outcome(lateClick, 'attributed', null, null));
    await eventually(async () =>
      expect(await item(alice.apiKey, lateClick.id)).toMatchObject({
        status: 'attributed',
        errorCode: null,
      }),
    );
  });

  it('leaves no duplicates when a batch or an event is delivered again', async () => {
    const base = { accountId: alice.account.id, integrationId: aliceIntegration };
    const received = postback(base);
    const processed = outcome(received, 'duplicate', 'duplicate', 'already counted');
    const joinedBefore = projection.writer.joinStats.joinedRows;
    await projection.writer.write([received, processed]);
    // A postback and its outcome in one batch: the row is inserted whole, once.
    expect(projection.writer.joinStats.joinedRows).toBe(joinedBefore + 1);
    await projection.writer.write([received, processed]);
    expect(projection.writer.joinStats.joinedRows).toBe(joinedBefore + 1);
    await projection.writer.write([received, received, processed, processed]);
    const [{ count }] = await dataSource.query(
      'SELECT count(*)::int AS count FROM postback_log.postback_logs WHERE id = $1',
      [received.id],
    );
    expect(count).toBe(1);
    expect(await item(alice.apiKey, received.id)).toMatchObject({
      status: 'duplicate',
      errorCode: 'duplicate',
    });

    const twice = postback(base);
    await publish(twice, twice);
    const clickFilter = { clickId: twice.payload.clickId! };
    await eventually(async () =>
      expect((await list(alice.apiKey, clickFilter)).items.map((i) => i.id)).toEqual([twice.id]),
    );
  });

  it('writes a postback whose outcome comes a moment later once, whole; one without an outcome alone after its wait', async () => {
    // Received "2 s from now": still fresh however slowly a busy machine hands them to the
    // log, which then holds each for OUTCOME_WAIT_MS at most.
    const receivedAt = new Date(Date.now() + 2000).toISOString();
    const base = { accountId: alice.account.id, integrationId: aliceIntegration, receivedAt };
    const waiting = postback(base);
    const lonely = postback(base);
    const joinedBefore = projection.writer.joinStats.joinedRows;
    const heldJoinedBefore = projection.held.stats.joined;

    // Given the log holds postbacks (earlier tests' postbacks without outcomes, written alone,
    // may have paused it for a while), two fresh postbacks, and the outcome of one published
    // separately a moment later (another fetch, as attribution's outcome comes),
    await eventually(() => expect(projection.held.holding).toBe(true));
    await publish(waiting, lonely);
    await eventually(() => expect(projection.held.size).toBeGreaterThanOrEqual(2));
    await publish(outcome(waiting, 'attributed', null, null));

    // then that row is inserted whole by the outcome's call, never updated,
    await eventually(async () =>
      expect(await item(alice.apiKey, waiting.id)).toMatchObject({ status: 'attributed' }),
    );
    expect(projection.held.stats.joined).toBe(heldJoinedBefore + 1);
    expect(projection.writer.joinStats.joinedRows).toBe(joinedBefore + 1);
    // and the other is listed as received once its wait for an outcome is over.
    await eventually(async () =>
      expect(await item(alice.apiKey, lonely.id)).toMatchObject({ status: 'received' }),
    );
  });

  it('stores a postback and its outcome met in one batch as it stores them apart', async () => {
    const base = { accountId: alice.account.id, integrationId: aliceIntegration };
    const suffix = randomBytes(4).toString('hex');
    const [together, apart] = [`log_joined_${suffix}`, `log_apart_${suffix}`];
    for (const schema of [together, apart]) {
      await dataSource.query(`CREATE SCHEMA ${schema}`);
      for (const table of ['postback_logs', 'url_terms'])
        await dataSource.query(
          `CREATE TABLE ${schema}.${table} (LIKE postback_log.${table} INCLUDING ALL)`,
        );
    }
    const writer = (schema: string) =>
      new PostbackLogWriter(dataSource, () => 'Pocket A', { schema, switchLock: false });
    const [joinedWriter, apartWriter] = [writer(together), writer(apart)];

    const attributed = postback(base);
    const withoutClickId = postback({ ...base, clickId: null });
    const older = outcome(attributed, 'unmatched', 'click_not_found', 'no click yet', {
      occurredAt: '2026-01-01T00:00:01.000Z',
    });
    const newer = outcome(attributed, 'attributed', null, null, {
      occurredAt: '2026-01-01T00:00:02.000Z',
      conversion: { stage: 'registration', ordinal: null, amount: null, currency: null },
    });
    const rejected = outcome(withoutClickId, 'rejected', 'click_id_missing', 'no click id');
    // Given both halves of two rows (the older outcome after the newer) in one batch,
    await joinedWriter.write([newer, attributed, older, withoutClickId, rejected]);
    // and the same events in batches of their own,
    for (const event of [attributed, older, newer, withoutClickId, rejected])
      await apartWriter.write([event]);
    // then both rows are inserted whole, once, and equal what the two writes left.
    expect(joinedWriter.joinStats.joinedRows).toBe(2);
    expect(apartWriter.joinStats.joinedRows).toBe(0);
    const rows = (schema: string) =>
      dataSource.query(`SELECT * FROM ${schema}.postback_logs ORDER BY id`);
    const joinedRows = await rows(together);
    expect(joinedRows).toEqual(await rows(apart));
    expect(joinedRows.find((row: { id: string }) => row.id === attributed.id)).toMatchObject({
      status: 'attributed',
      click_id: attributed.payload.clickId,
    });
  });

  it("replay's COPY path stores what the upsert stores, and upserts rows already there", async () => {
    const base = { accountId: alice.account.id, integrationId: aliceIntegration };
    const scratch = async (schema: string) => {
      await dataSource.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await dataSource.query(`CREATE SCHEMA ${schema}`);
      for (const table of ['postback_logs', 'url_terms'])
        await dataSource.query(
          `CREATE TABLE ${schema}.${table} (LIKE postback_log.${table} INCLUDING ALL)`,
        );
    };
    const suffix = randomBytes(4).toString('hex');
    const [upserted, copied] = [`log_upsert_${suffix}`, `log_copy_${suffix}`];
    await scratch(upserted);
    await scratch(copied);
    const upsertWriter = new PostbackLogWriter(dataSource, () => 'Pocket A', {
      schema: upserted,
      switchLock: false,
    });
    const copyWriter = new PostbackLogWriter(dataSource, () => 'Pocket A', {
      schema: copied,
      switchLock: false,
      copyNewPostbacks: true,
    });

    // What COPY's text format must escape, and what PostgreSQL cannot store at all.
    const hostile = postback({
      ...base,
      query: {
        'tracker.event': 'reg',
        click_id: 'tab\there',
        note: 'line\nbreak\r\\back\u0000nul\ud800',
        list: ['a', 'b\tc'],
      },
      body: { nested: { deep: ['\\N', '\t'] }, n: 1 },
    });
    const plain = postback({ ...base, clickId: null, event: null });
    const outcomeFirst = postback(base);
    const early = outcome(outcomeFirst, 'unmatched', 'click_not_found', 'no click yet');
    const batches: AnyEvent[][] = [
      [hostile, plain],
      [early],
      [outcomeFirst, postback(base)],
      [hostile, plain], // redelivered: changes nothing
    ];
    for (const batch of batches) {
      await upsertWriter.write(batch);
      await copyWriter.write(batch);
    }
    // Batch 3 COPYs its new postback and upserts the one its outcome made; batch 4 only upserts.
    expect(copyWriter.copyStats).toEqual({ copiedRows: 3, upsertedRows: 3 });

    const rows = (schema: string) =>
      dataSource.query(`SELECT * FROM ${schema}.postback_logs ORDER BY id`);
    const copiedRows = await rows(copied);
    expect(copiedRows).toHaveLength(4);
    expect(copiedRows).toEqual(await rows(upserted));
    const stored = copiedRows.find((row: { id: string }) => row.id === hostile.id);
    expect(stored.url).toBe(hostile.payload.url);
    expect(stored.params.note).toBe('line\nbreak\r\\back\ufffdnul\ufffd');
    expect(copiedRows.find((row: { id: string }) => row.id === outcomeFirst.id)).toMatchObject({
      status: 'unmatched',
      received_at: new Date(outcomeFirst.payload.receivedAt),
    });

    // A concurrent transaction inserts a row the COPY carries: COPY waits for it, fails on the
    // key, and the batch is upserted instead.
    const [raced, alongside] = [postback(base), postback(base)];
    const other = dataSource.createQueryRunner();
    await other.startTransaction();
    await other.query(`INSERT INTO ${copied}.postback_logs (id, account_id) VALUES ($1, $2)`, [
      raced.id,
      alice.account.id,
    ]);
    const writing = copyWriter.write([raced, alongside]);
    await eventually(async () => {
      const [{ waiting }] = await dataSource.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE 'COPY "${copied}".%'`,
      );
      expect(waiting).toBe(1);
    });
    await other.commitTransaction();
    await other.release();
    await writing;
    expect(copyWriter.copyStats).toEqual({ copiedRows: 3, upsertedRows: 5 });
    const [racedRow] = await dataSource.query(
      `SELECT url, received_at FROM ${copied}.postback_logs WHERE id = $1`,
      [raced.id],
    );
    expect(racedRow).toEqual({
      url: raced.payload.url,
      received_at: new Date(raced.payload.receivedAt),
    });
    for (const schema of [upserted, copied])
      await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
  });

  it('filters, searches and pages newest first, covering every row once under inserts', async () => {
    const carol = await seedAccount('Carol team');
    const first = await seedIntegration(carol.account.id, { name: 'First' });
    const second = await seedIntegration(carol.account.id, { name: 'Second' });
    const start = Date.parse('2026-03-01T00:00:00.000Z');
    const events: PostbackReceivedEvent[] = [];
    for (let i = 0; i < 30; i++) {
      // Pairs share a timestamp so the id tie-break is exercised.
      const receivedAt = new Date(start + Math.floor(i / 2) * 60_000).toISOString();
      events.push(
        postback({
          accountId: carol.account.id,
          integrationId: i % 3 === 0 ? second.id : first.id,
          event: i % 2 === 0 ? 'reg' : 'dep',
          receivedAt,
        }),
      );
    }
    const special = postback({
      accountId: carol.account.id,
      integrationId: first.id,
      receivedAt: new Date(start - 3_600_000).toISOString(),
      query: {
        'tracker.event': 'reg',
        click_id: 'SpecialClick01',
        Trader: 'TR-4821',
        ref: 'a b/c',
      },
      body: { email: 'Jane.Doe@Example.com', Trader: 'body loses' },
      clickId: 'SpecialClick01',
    });
    events.push(special);
    await publish(...events);
    await publish(outcome(events[4], 'rejected', 'invalid_amount', "invalid amount 'x'"));
    const expected = [...events].sort((a, b) =>
      a.payload.receivedAt !== b.payload.receivedAt
        ? b.payload.receivedAt.localeCompare(a.payload.receivedAt)
        : b.id.localeCompare(a.id),
    );
    await eventually(async () =>
      expect((await list(carol.apiKey, { limit: 500 })).items).toHaveLength(31),
    );
    await eventually(async () =>
      expect((await item(carol.apiKey, events[4].id)).status).toBe('rejected'),
    );

    const seen: string[] = [];
    let page = await list(carol.apiKey, { limit: 7 });
    seen.push(...page.items.map((i) => i.id));
    // Newer rows arriving between pages must neither shift nor repeat the remaining pages.
    const newer = Array.from({ length: 5 }, () =>
      postback({ accountId: carol.account.id, integrationId: first.id }),
    );
    await publish(...newer);
    await eventually(async () =>
      expect((await list(carol.apiKey, { limit: 500 })).items).toHaveLength(36),
    );
    while (page.nextCursor) {
      page = await list(carol.apiKey, { limit: 7, cursor: page.nextCursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      seen.push(...page.items.map((i) => i.id));
    }
    expect(seen).toEqual(expected.map((e) => e.id));

    const ids = async (query: Record<string, string>) =>
      (await list(carol.apiKey, { ...query, limit: 500 })).items.map((i) => i.id).sort();
    const idsOf = (filter: (e: PostbackReceivedEvent) => boolean) =>
      [...events, ...newer]
        .filter(filter)
        .map((e) => e.id)
        .sort();

    expect(await ids({ integrationId: second.id })).toEqual(
      idsOf((e) => e.integrationId === second.id),
    );
    expect(await ids({ event: 'dep' })).toEqual(idsOf((e) => e.payload.event === 'dep'));
    expect(await ids({ status: 'rejected' })).toEqual([events[4].id]);
    expect(await ids({ status: 'received', integrationId: second.id })).toEqual(
      idsOf((e) => e.integrationId === second.id && e !== events[4]),
    );
    expect(await ids({ clickId: events[7].payload.clickId! })).toEqual([events[7].id]);
    expect(await ids({ q: 'specialclick' })).toEqual([special.id]);
    expect(await ids({ q: 'tr-4821' })).toEqual([special.id]);
    expect(await ids({ q: 'jane.doe@example' })).toEqual([special.id]);
    expect(await ids({ q: events[9].payload.clickId!.toUpperCase() })).toEqual([events[9].id]);
    // q finds a judged row too, alone and within a status filter.
    expect(await ids({ q: events[4].payload.clickId! })).toEqual([events[4].id]);
    expect(await ids({ q: events[4].payload.clickId!, status: 'rejected' })).toEqual([
      events[4].id,
    ]);
    expect(await ids({ q: events[9].payload.clickId!, status: 'rejected' })).toEqual([]);
    expect(await ids({ q: '100%' })).toEqual([]);
    // q is a substring of the URL too: path, parameter names, separators, encoded values.
    expect(await ids({ q: 'rader' })).toEqual([special.id]);
    expect(await ids({ q: 'trader=tr-48' })).toEqual([special.id]);
    expect(await ids({ q: '+b%2fc' })).toEqual([special.id]);
    expect(await ids({ q: `click_id=${events[9].payload.clickId!}` })).toEqual([events[9].id]);
    expect(await ids({ q: `${second.id}/tracker` })).toEqual(
      idsOf((e) => e.integrationId === second.id),
    );
    expect(await ids({ q: second.id.slice(9, 23) })).toEqual(
      idsOf((e) => e.integrationId === second.id),
    );
    expect(await ids({ q: 'tracker-postback?' })).toEqual(idsOf(() => true));
    const from = new Date(start + 5 * 60_000).toISOString();
    const to = new Date(start + 8 * 60_000).toISOString();
    expect(await ids({ from, to })).toEqual(
      idsOf((e) => e.payload.receivedAt >= from && e.payload.receivedAt < to),
    );

    const shown = await item(carol.apiKey, special.id);
    expect(shown.params).toEqual({
      'tracker.event': 'reg',
      click_id: 'SpecialClick01',
      Trader: 'TR-4821',
      ref: 'a b/c',
      email: 'Jane.Doe@Example.com',
    });
    expect(shown.method).toBe('POST');
    expect(shown.integrationName).toBe('First');
  });

  it('answers bad query values with a 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['status=lost', 'status'],
      ['integrationId=nope', 'integrationId'],
      ['from=yesterday', 'from'],
      ['to=2026-13-45', 'to'],
      ['cursor=garbage', 'cursor'],
      ['q=', 'q'],
      ['sort=asc', 'sort'],
    ];
    for (const [query, field] of cases) {
      const response = await get(alice.apiKey, `/api/postback-logs?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      expect((response.body as { message: string }).message).toContain(field);
    }
    expect((await list(alice.apiKey, {})).items.length).toBeLessThanOrEqual(50);
  });

  it("never shows another account's postbacks", async () => {
    const mine = postback({ accountId: alice.account.id, integrationId: aliceIntegration });
    const theirs = postback({ accountId: bob.account.id, integrationId: bobIntegration });
    await publish(mine, theirs);
    await eventually(async () => {
      expect((await item(alice.apiKey, mine.id)).id).toBe(mine.id);
      expect((await item(bob.apiKey, theirs.id)).integrationName).toBe('Pocket B');
    });
    expect((await get(bob.apiKey, `/api/postback-logs/${mine.id}`)).status).toBe(404);
    expect((await get(alice.apiKey, `/api/postback-logs/${theirs.id}`)).status).toBe(404);
    // SPEC section 9: a path parameter failing its own format is a 400 naming it.
    const malformed = await get(alice.apiKey, '/api/postback-logs/not-a-uuid');
    expect({
      status: malformed.status,
      field: (malformed.body as { field?: string }).field,
    }).toEqual({
      status: 400,
      field: 'id',
    });
    const bobs = await list(bob.apiKey, { limit: 500 });
    expect(bobs.items.map((i) => i.id)).toEqual([theirs.id]);
    const byIntegration = await list(bob.apiKey, { integrationId: aliceIntegration });
    expect(byIntegration.items).toEqual([]);
    const bySearch = await list(bob.apiKey, { q: mine.payload.clickId! });
    expect(bySearch.items).toEqual([]);
    expect((await fetch(`${testApp.baseUrl}/api/postback-logs`)).status).toBe(401);
  });

  it('shows the current integration name, and once deleted the name it had when received', async () => {
    const integration = await seedIntegration(alice.account.id, { name: 'Before' });
    const received = postback({ accountId: alice.account.id, integrationId: integration.id });
    const directory = testApp.app.get(IntegrationDirectory);
    await eventually(() => expect(directory.get(integration.id)?.name).toBe('Before'));
    await publish(received);
    await eventually(async () =>
      expect((await item(alice.apiKey, received.id)).integrationName).toBe('Before'),
    );
    await publishIntegration({ ...integration, name: 'Renamed' });
    await eventually(async () =>
      expect((await item(alice.apiKey, received.id)).integrationName).toBe('Renamed'),
    );
    await (await seedProducer()).publishTombstone(Topics.Integrations, integration.id);
    await eventually(() => expect(directory.get(integration.id)).toBeUndefined());
    expect((await item(alice.apiKey, received.id)).integrationName).toBe('Before');
  });
});
