import {
  AnyEvent,
  assertValidEvent,
  ClickRegisteredEvent,
  IntegrationChangedPayload,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { storableString } from '@tracker/database';
import { ConsumedEvent } from '@tracker/kafka';
import { lockModelShared } from '@tracker/replay';
import { DataSource } from 'typeorm';
import { readPostback, Reading } from '../judgement/postback-reading';
import { AttributionTables, Tables } from '../shared/schema';
import { AttributionStore } from './attribution.store';
import { BatchJudgement } from './batch-judgement';

/** An integration's configuration as the directory knows it now (undefined when deleted). */
export type IntegrationLookup = (
  integrationId: string,
) => Promise<IntegrationChangedPayload | undefined>;

export interface AttributionWriterOptions {
  tables?: AttributionTables;
  /** Take the model's shared switch lock per batch (live writers; a replay holds it exclusively). */
  switchLock?: boolean;
  /** Write outbox rows as already published (a replay: subscribers saw these events). */
  outboxPublished?: boolean;
  /** When decisions are made (the wall clock; tests set it to order batches' clocks). */
  clock?: () => Date;
}

/**
 * A reading's tid and fields as the tables will hold them (SPEC section 9: NUL and lone
 * surrogates become U+FFFD), so the judgement compares them with what it reads back from
 * PostgreSQL as equals: `x\0y` and `x\ufffdy` are one tid, never a duplicate-key failure.
 * Only strings are values a partner sent: anything else (a member such as `toString` found on a
 * prototype by a parameter look-up) is left out, so it can never fail the contract of the
 * events this batch emits and dead-letter the batch.
 */
function asStored(reading: Reading): Reading {
  if (!reading.ok) return reading;
  const { tid, fields } = reading.postback;
  const storedFields: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    Object.defineProperty(storedFields, storableString(key), {
      value: storableString(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return {
    ...reading,
    postback: {
      ...reading.postback,
      tid: typeof tid === 'string' ? storableString(tid) : null,
      fields: storedFields,
    },
  };
}

/**
 * Judges a batch of clicks and postbacks and writes it with its outbox rows in one
 * transaction; the live consumer and the replay run exactly this. Returns the emitted events.
 */
export class AttributionWriter {
  private readonly tables: AttributionTables;
  private readonly clock: () => Date;

  constructor(
    private readonly dataSource: DataSource,
    private readonly integrations: IntegrationLookup,
    private readonly options: AttributionWriterOptions = {},
  ) {
    this.tables = options.tables ?? Tables;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Idempotent by event id: a redelivered batch changes nothing and enqueues nothing. */
  async write(messages: ConsumedEvent[]): Promise<AnyEvent[]> {
    const events: Array<ClickRegisteredEvent | PostbackReceivedEvent> = [];
    for (const { event } of messages) {
      if (event?.type === 'ClickRegistered' || event?.type === 'PostbackReceived') {
        events.push(event);
      }
    }
    if (events.length === 0) return [];
    const readings = await this.readPostbacks(events);
    return this.dataSource.transaction(async (manager) => {
      if (this.options.switchLock ?? true) await lockModelShared(manager, 'attribution');
      const store = new AttributionStore(manager, this.tables, this.options.outboxPublished);
      const judgement = new BatchJudgement(store, readings, this.clock());
      const result = await judgement.run(events);
      // A contract bug must fail this batch (and dead-letter it), not wedge the relay later.
      for (const event of result.outbox) assertValidEvent(event);
      await judgement.write(result);
      return result.outbox;
    });
  }

  /** Directory look-ups happen before the transaction: a catch-up must not hold locks. */
  private async readPostbacks(
    events: Array<ClickRegisteredEvent | PostbackReceivedEvent>,
  ): Promise<Map<string, Reading>> {
    const postbacks = events.filter(
      (e): e is PostbackReceivedEvent => e.type === 'PostbackReceived',
    );
    const ids = [...new Set(postbacks.map((e) => e.integrationId))];
    const configs = new Map<string, IntegrationChangedPayload | undefined>(
      await Promise.all(ids.map(async (id) => [id, await this.integrations(id)] as const)),
    );
    const readings = new Map<string, Reading>();
    for (const event of postbacks) {
      readings.set(event.id, asStored(readPostback(event, configs.get(event.integrationId))));
    }
    return readings;
  }
}
