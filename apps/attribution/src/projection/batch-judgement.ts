import {
  AnyEvent,
  CLICK_ID_REGEX,
  ClickRegisteredEvent,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { clickNotFoundError, ReadPostback, Reading } from '../judgement/postback-reading';
import { judgeStage, RecordedConversion } from '../judgement/stage-rules';
import { AttributionStore, ClickRow, PostbackRow } from './attribution.store';
import {
  conversionRecorded,
  Decision,
  PostbackIdentity,
  postbackProcessed,
} from './outcome-events';

function wellFormed(clickId: string | null): string | null {
  return clickId !== null && CLICK_ID_REGEX.test(clickId) ? clickId : null;
}

interface ClickState {
  row: ClickRow;
  history: RecordedConversion[];
  isNew: boolean;
  fieldsChanged: boolean;
}

export interface BatchResult {
  newClicks: ClickRow[];
  changedClicks: ClickRow[];
  newPostbacks: PostbackRow[];
  rejudged: PostbackRow[];
  outbox: AnyEvent[];
}

/**
 * Judges one batch in memory, in offset order, against the state loaded for the clicks it
 * touches; the caller writes the result in the same transaction.
 */
export class BatchJudgement {
  private readonly clicks = new Map<string, ClickState>();
  /** Unmatched postbacks per click id, oldest report first (loaded and from this batch). */
  private readonly pending = new Map<string, PostbackRow[]>();
  private processed = new Set<string>();
  /** New postback rows by id, in judgement order; a same-batch re-judgement replaces its row. */
  private readonly inserted = new Map<string, PostbackRow>();
  private readonly result: BatchResult = {
    newClicks: [],
    changedClicks: [],
    newPostbacks: [],
    rejudged: [],
    outbox: [],
  };

  constructor(
    private readonly store: AttributionStore,
    private readonly readings: Map<string, Reading>,
    private readonly now: Date,
  ) {}

  async run(events: Array<ClickRegisteredEvent | PostbackReceivedEvent>): Promise<BatchResult> {
    await this.load(events);
    for (const event of events) {
      if (event.type === 'ClickRegistered') this.registerClick(event);
      else this.judgePostback(event);
    }
    this.result.newPostbacks = [...this.inserted.values()];
    for (const state of this.clicks.values()) {
      if (state.isNew) this.result.newClicks.push(state.row);
      else if (state.fieldsChanged) this.result.changedClicks.push(state.row);
    }
    return this.result;
  }

  async write(result: BatchResult): Promise<void> {
    await this.store.insertClicks(result.newClicks);
    await this.store.updateClickFields(result.changedClicks);
    await this.store.insertPostbacks(result.newPostbacks);
    await this.store.updatePostbacks(result.rejudged);
    await this.store.enqueue(result.outbox);
  }

  private async load(events: Array<ClickRegisteredEvent | PostbackReceivedEvent>): Promise<void> {
    const registered = events
      .filter((e): e is ClickRegisteredEvent => e.type === 'ClickRegistered')
      .map((e) => e.payload.clickId);
    const referenced: string[] = [];
    for (const reading of this.readings.values()) {
      const clickId = reading.ok ? wellFormed(reading.postback.clickId) : null;
      if (clickId !== null) referenced.push(clickId);
    }
    const clickIds = [...new Set([...registered, ...referenced])];
    await this.store.lockClicks(clickIds);
    this.processed = await this.store.processedPostbackIds([...this.readings.keys()]);
    const [rows, conversions, pending] = [
      await this.store.clicks(clickIds),
      await this.store.conversionsOf(clickIds),
      await this.store.pendingFor(registered),
    ];
    for (const row of rows) {
      this.clicks.set(row.click_id, { row, history: [], isNew: false, fieldsChanged: false });
    }
    for (const conversion of conversions)
      this.clicks.get(conversion.clickId)?.history.push(conversion);
    for (const row of pending) this.addPending(row);
  }

  private addPending(row: PostbackRow): void {
    const list = this.pending.get(row.click_id!) ?? [];
    list.push(row);
    this.pending.set(row.click_id!, list);
  }

  private registerClick(event: ClickRegisteredEvent): void {
    const { payload } = event;
    if (this.clicks.has(payload.clickId)) return; // click ids are never reissued: a redelivery
    const state: ClickState = {
      row: {
        click_id: payload.clickId,
        event_id: event.id,
        account_id: event.accountId,
        integration_id: payload.integrationId,
        link_id: payload.linkId,
        campaign: payload.campaign,
        source: payload.source,
        subscriber_id: payload.subscriberId,
        params: payload.params,
        user_agent: payload.userAgent,
        remote_address: payload.remoteAddress,
        created_at: new Date(payload.createdAt).toISOString(),
        fields: {},
        field_times: {},
      },
      history: [],
      isNew: true,
      fieldsChanged: false,
    };
    this.clicks.set(payload.clickId, state);
    const waiting = this.pending.get(payload.clickId) ?? [];
    this.pending.delete(payload.clickId);
    const sorted = [...waiting].sort(
      (a, b) =>
        a.received_at.localeCompare(b.received_at) || a.postback_id.localeCompare(b.postback_id),
    );
    for (const row of sorted) {
      if (row.account_id !== event.accountId) continue; // another tenant's postback never matches
      this.rejudge(row, state);
    }
  }

  private rejudge(row: PostbackRow, state: ClickState): void {
    const postback: ReadPostback = {
      clickId: row.click_id!,
      event: row.event!,
      kind: row.kind!,
      amount: row.amount,
      currency: row.currency,
      tid: row.tid,
      fields: row.fields,
      paramsHash: row.params_hash!,
      clickIdParam: null,
    };
    const identity: PostbackIdentity = {
      postbackId: row.postback_id,
      accountId: row.account_id,
      integrationId: row.integration_id,
      recordedClickId: row.click_id,
    };
    // A re-judgement is a later decision than the one it replaces, which subscribers keep only
    // when it is newer. This batch's clock may be behind that decision: partitions are judged
    // concurrently, so a click's batch can start before a postback's batch that took the click
    // lock first (and replicas' clocks differ).
    const decidedAt = new Date(Math.max(this.now.getTime(), Date.parse(row.judged_at)) + 1);
    const decided = this.decide(identity, postback, new Date(row.received_at), state, decidedAt);
    const updated = { ...row, ...decided, judged_at: decidedAt.toISOString() };
    if (this.inserted.has(row.postback_id)) this.inserted.set(row.postback_id, updated);
    else this.result.rejudged.push(updated);
  }

  private judgePostback(event: PostbackReceivedEvent): void {
    if (this.processed.has(event.id)) return;
    this.processed.add(event.id);
    const identity: PostbackIdentity = {
      postbackId: event.id,
      accountId: event.accountId,
      integrationId: event.integrationId,
      recordedClickId: event.payload.clickId,
    };
    const receivedAt = new Date(event.payload.receivedAt);
    const base: PostbackRow = {
      postback_id: event.id,
      account_id: event.accountId,
      integration_id: event.integrationId,
      // Only well-formed ids: anything else can never match a click (and may be huge).
      click_id: wellFormed(event.payload.clickId),
      event: event.payload.event,
      kind: null,
      status: 'rejected',
      error_code: null,
      error: null,
      amount: null,
      currency: null,
      tid: null,
      params_hash: null,
      fields: {},
      stage: null,
      ordinal: null,
      received_at: receivedAt.toISOString(),
      judged_at: this.now.toISOString(),
    };
    const reading = this.readings.get(event.id)!;
    if (!reading.ok) {
      const { status, errorCode, error } = reading.rejection;
      this.inserted.set(event.id, { ...base, status, error_code: errorCode, error });
      this.emitOutcome(identity, { status, errorCode, error, conversion: null });
      return;
    }
    const postback = reading.postback;
    const row: PostbackRow = {
      ...base,
      kind: postback.kind,
      amount: postback.amount,
      currency: postback.currency,
      tid: postback.tid,
      params_hash: postback.paramsHash,
      fields: postback.fields,
    };
    const state = this.clicks.get(postback.clickId);
    if (!state || state.row.account_id !== event.accountId) {
      const error = clickNotFoundError(postback.clickId, postback.clickIdParam);
      const unmatched = { ...row, status: 'unmatched', error_code: 'click_not_found', error };
      this.inserted.set(event.id, unmatched);
      // Kept in the batch too: a click later in the same batch still picks it up.
      if (unmatched.click_id !== null) this.addPending(unmatched);
      this.emitOutcome(identity, {
        status: 'unmatched',
        errorCode: 'click_not_found',
        error,
        conversion: null,
      });
      return;
    }
    this.inserted.set(event.id, {
      ...row,
      ...this.decide(identity, postback, receivedAt, state, this.now),
    });
  }

  /** Stage rules against the click's history; emits the outcome (and the conversion). */
  private decide(
    identity: PostbackIdentity,
    postback: ReadPostback,
    receivedAt: Date,
    state: ClickState,
    decidedAt: Date,
  ): Pick<PostbackRow, 'status' | 'error_code' | 'error' | 'stage' | 'ordinal'> {
    this.applyFields(state, postback.fields, receivedAt);
    const verdict = judgeStage(postback, identity.integrationId, receivedAt, state.history);
    if (verdict.status === 'duplicate') {
      this.emitOutcome(
        identity,
        {
          status: 'duplicate',
          errorCode: 'duplicate',
          error: verdict.error,
          conversion: null,
        },
        decidedAt,
      );
      return {
        status: 'duplicate',
        error_code: 'duplicate',
        error: verdict.error,
        stage: null,
        ordinal: null,
      };
    }
    const { stage, ordinal } = verdict;
    state.history.push({
      integrationId: identity.integrationId,
      event: postback.event,
      tid: postback.tid,
      paramsHash: postback.paramsHash,
      stage,
      ordinal,
      receivedAt,
    });
    const click = state.row;
    this.result.outbox.push(
      conversionRecorded(identity, {
        clickId: click.click_id,
        event: postback.event,
        kind: postback.kind,
        stage,
        ordinal,
        amount: postback.amount,
        currency: postback.currency,
        tid: postback.tid,
        fields: click.fields,
        campaign: click.campaign,
        source: click.source,
        subscriberId: click.subscriber_id,
        clickParams: click.params,
        clickedAt: new Date(click.created_at),
        receivedAt,
      }),
    );
    this.emitOutcome(
      identity,
      {
        status: 'attributed',
        errorCode: null,
        error: null,
        conversion: { stage, ordinal, amount: postback.amount, currency: postback.currency },
      },
      decidedAt,
    );
    return { status: 'attributed', error_code: null, error: null, stage, ordinal };
  }

  /** "The later postback wins", by report time, per field. */
  private applyFields(state: ClickState, fields: Record<string, string>, receivedAt: Date): void {
    const at = receivedAt.toISOString();
    for (const [key, value] of Object.entries(fields)) {
      const previous = state.row.field_times[key];
      if (previous !== undefined && previous > at) continue;
      if (state.row.fields[key] !== value || previous !== at) {
        state.row.fields = { ...state.row.fields, [key]: value };
        state.row.field_times = { ...state.row.field_times, [key]: at };
        state.fieldsChanged = true;
      }
    }
  }

  private emitOutcome(identity: PostbackIdentity, decision: Decision, decidedAt = this.now): void {
    this.result.outbox.push(postbackProcessed(identity, decision, decidedAt));
  }
}
