import {
  AnyEvent,
  CLICK_ID_REGEX,
  ClickRegisteredEvent,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { ClickHistory, decide, evolve, JudgePostback } from '../judgement/postback-decider';
import { ReadPostback, Reading } from '../judgement/postback-reading';
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
  history: ClickHistory;
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
    const rows = await this.store.clicks(clickIds);
    const pending = await this.store.pendingFor(registered);
    // What this batch's postbacks can ask the stored histories. Waiting postbacks are re-judged
    // only against a click this batch registers, whose history starts empty.
    const tids = new Set<string>();
    const paramsHashes = new Set<string>();
    for (const reading of this.readings.values()) {
      if (!reading.ok) continue;
      if (reading.postback.tid !== null) tids.add(reading.postback.tid);
      else paramsHashes.add(reading.postback.paramsHash);
    }
    const histories = await this.store.historiesFor(
      rows.map((row) => row.click_id),
      { tids: [...tids], paramsHashes: [...paramsHashes] },
    );
    for (const row of rows) {
      const history = histories.get(row.click_id) ?? ClickHistory.of();
      this.clicks.set(row.click_id, { row, history, isNew: false, fieldsChanged: false });
    }
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
      history: ClickHistory.of(),
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
      reversal: row.reversal,
      fields: row.fields,
      paramsHash: row.params_hash!,
      clickIdParam: row.click_id_param,
      tidParam: row.tid_param ?? 'tracker.tid',
    };
    const identity: PostbackIdentity = {
      postbackId: row.postback_id,
      accountId: row.account_id,
      integrationId: row.integration_id,
      recordedClickId: row.click_id,
    };
    const reading: Reading = { ok: true, postback, paramsUsedAs: row.params_used_as ?? {} };
    // A re-judgement is a later decision than the one it replaces, which subscribers keep only
    // when it is newer. This batch's clock may be behind that decision: partitions are judged
    // concurrently, so a click's batch can start before a postback's batch that took the click
    // lock first (and replicas' clocks differ).
    const decidedAt = new Date(Math.max(this.now.getTime(), Date.parse(row.judged_at)) + 1);
    const decided = this.judge(identity, reading, new Date(row.received_at), state, decidedAt);
    const updated = { ...row, ...decided, judged_at: decidedAt.toISOString() };
    if (this.inserted.has(row.postback_id)) this.inserted.set(row.postback_id, updated);
    else this.result.rejudged.push(updated);
  }

  private judgePostback(event: PostbackReceivedEvent): void {
    if (this.processed.has(event.id)) return;
    this.processed.add(event.id);
    const reading = this.readings.get(event.id)!;
    const identity: PostbackIdentity = {
      postbackId: event.id,
      accountId: event.accountId,
      integrationId: event.integrationId,
      recordedClickId: event.payload.clickId,
    };
    const receivedAt = new Date(event.payload.receivedAt);
    const postback = reading.ok ? reading.postback : null;
    const row: PostbackRow = {
      postback_id: event.id,
      account_id: event.accountId,
      integration_id: event.integrationId,
      // Only well-formed ids: anything else can never match a click (and may be huge).
      click_id: wellFormed(postback?.clickId ?? event.payload.clickId),
      event: postback?.event ?? event.payload.event,
      kind: postback?.kind ?? null,
      status: 'rejected',
      error_code: null,
      error: null,
      error_detail: null,
      amount: postback?.amount ?? null,
      currency: postback?.currency ?? null,
      tid: postback?.tid ?? null,
      params_hash: postback?.paramsHash ?? null,
      fields: postback?.fields ?? {},
      stage: null,
      ordinal: null,
      reverses: null,
      reversed_stage: null,
      reversal: postback?.reversal ?? false,
      params_used_as: reading.paramsUsedAs,
      click_id_param: postback?.clickIdParam ?? null,
      tid_param: postback?.tidParam ?? null,
      received_at: receivedAt.toISOString(),
      judged_at: this.now.toISOString(),
    };
    const state = postback ? this.clicks.get(postback.clickId) : undefined;
    const known = state !== undefined && state.row.account_id === event.accountId;
    const decided = this.judge(identity, reading, receivedAt, known ? state : null, this.now);
    const judged = { ...row, ...decided };
    this.inserted.set(event.id, judged);
    // Kept in the batch too: a click later in the same batch still picks it up.
    if (judged.status === 'unmatched' && judged.click_id !== null) this.addPending(judged);
  }

  /**
   * Runs the decider against the click's history, keeps the new history and emits the outcome
   * (and the conversion); returns the row's judged columns.
   */
  private judge(
    identity: PostbackIdentity,
    reading: Reading,
    receivedAt: Date,
    state: ClickState | null,
    decidedAt: Date,
  ): Pick<
    PostbackRow,
    | 'status'
    | 'error_code'
    | 'error'
    | 'error_detail'
    | 'stage'
    | 'ordinal'
    | 'reverses'
    | 'reversed_stage'
  > &
    Partial<Pick<PostbackRow, 'kind' | 'amount' | 'currency'>> {
    const command: JudgePostback = {
      postbackId: identity.postbackId,
      integrationId: identity.integrationId,
      receivedAt,
      reading,
    };
    if (state && reading.ok) this.applyFields(state, reading.postback.fields, receivedAt);
    const verdict = decide(command, state ? state.history : null);
    const clickedAt =
      state && verdict.status === 'attributed' ? new Date(state.row.created_at) : null;
    if (verdict.status !== 'attributed') {
      this.emitOutcome(
        identity,
        {
          status: verdict.status,
          errorCode: verdict.errorCode,
          error: verdict.error,
          errorDetail: verdict.errorDetail,
          paramsUsedAs: reading.paramsUsedAs,
          clickedAt: null,
          conversion: null,
        },
        decidedAt,
      );
      return {
        status: verdict.status,
        error_code: verdict.errorCode,
        error: verdict.error,
        error_detail: verdict.errorDetail,
        stage: null,
        ordinal: null,
        reverses: null,
        reversed_stage: null,
      };
    }
    const postback = (reading as Extract<Reading, { ok: true }>).postback;
    evolve(state!.history, command, verdict);
    const { conversion } = verdict;
    const click = state!.row;
    this.result.outbox.push(
      conversionRecorded(identity, {
        clickId: click.click_id,
        event: postback.event,
        kind: conversion.kind,
        stage: conversion.stage,
        reverses: conversion.reverses?.conversionId ?? null,
        ordinal: conversion.ordinal,
        amount: conversion.amount,
        currency: conversion.currency,
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
        errorDetail: null,
        paramsUsedAs: reading.paramsUsedAs,
        clickedAt,
        conversion: {
          stage: conversion.stage,
          ordinal: conversion.ordinal,
          amount: conversion.amount,
          currency: conversion.currency,
        },
      },
      decidedAt,
    );
    return {
      status: 'attributed',
      error_code: null,
      error: null,
      error_detail: null,
      stage: conversion.stage,
      ordinal: conversion.ordinal,
      kind: conversion.kind,
      amount: conversion.amount,
      currency: conversion.currency,
      reverses: conversion.reverses?.conversionId ?? null,
      reversed_stage: conversion.reverses?.stage ?? null,
    };
  }

  /** "The later postback wins", by report time, per field. */
  private applyFields(state: ClickState, fields: Record<string, string>, receivedAt: Date): void {
    const at = receivedAt.toISOString();
    for (const [key, value] of Object.entries(fields)) {
      // Own properties only: a field named `constructor` or `toString` is data, not a member.
      const previous = Object.hasOwn(state.row.field_times, key)
        ? state.row.field_times[key]
        : undefined;
      if (previous !== undefined && previous > at) continue;
      const current = Object.hasOwn(state.row.fields, key) ? state.row.fields[key] : undefined;
      if (current !== value || previous !== at) {
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
