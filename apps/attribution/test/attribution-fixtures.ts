import { randomBytes } from 'node:crypto';
import {
  ClickRegisteredEvent,
  ClickRegisteredPayload,
  ConversionRecordedEvent,
  createEvent,
  FALLBACK_CLICK_ID_PARAMS,
  IntegrationChangedPayload,
  PostbackProcessedEvent,
  PostbackReceivedEvent,
  Topics,
} from '@tracker/contracts';
import type { ConsumedEvent } from '@tracker/kafka';
import { seedProducer, startGroupsAtEnd, testKafka, TopicTail } from '@tracker/testing';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A fresh click id in the tracker's format (12 of [0-9A-Za-z]). */
export function newClickId(): string {
  return [...randomBytes(12)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

export function clickRegistered(
  accountId: string,
  payload: Partial<ClickRegisteredPayload> & { clickId: string },
): ClickRegisteredEvent {
  return createEvent(
    'ClickRegistered',
    {
      linkId: null,
      integrationId: null,
      campaign: null,
      source: null,
      subscriberId: null,
      params: {},
      userAgent: null,
      remoteAddress: null,
      createdAt: new Date().toISOString(),
      ...payload,
    },
    { accountId, integrationId: payload.integrationId ?? null, correlationId: payload.clickId },
  );
}

/** A click or postback as the projection's consumer hands it over (for direct handler calls). */
export function consumed(
  event: ClickRegisteredEvent | PostbackReceivedEvent,
  offset = 0,
): ConsumedEvent {
  return {
    topic: event.type === 'ClickRegistered' ? Topics.Clicks : Topics.Postbacks,
    partition: 0,
    offset: String(offset),
    key: null,
    event,
    headers: {},
    timestamp: String(Date.now()),
  };
}

export interface PostbackOptions {
  body?: Record<string, unknown> | null;
  receivedAt?: Date;
  /** A body the ingress could not parse: why, and its raw text. */
  bodyError?: string;
  rawBody?: string;
}

/** A postback as the ingress records it: tracker.event and the first non-empty click id. */
export function postbackReceived(
  integration: Pick<IntegrationChangedPayload, 'id' | 'accountId' | 'clickIdParam'>,
  query: Record<string, string>,
  options: PostbackOptions = {},
): PostbackReceivedEvent {
  const body = options.body ?? null;
  const merged: Record<string, unknown> = { ...(body ?? {}), ...query };
  const clickId =
    [integration.clickIdParam, ...FALLBACK_CLICK_ID_PARAMS]
      .map((name) => merged[name])
      .find((value): value is string => typeof value === 'string' && value !== '') ?? null;
  const event = typeof merged['tracker.event'] === 'string' ? merged['tracker.event'] : null;
  const search = new URLSearchParams(query).toString();
  return createEvent(
    'PostbackReceived',
    {
      method: body ? 'POST' : 'GET',
      url: `/api/postbacks/${integration.id}/tracker-postback?${search}`,
      query,
      body,
      ...(options.bodyError !== undefined && {
        contentType: 'application/json',
        bodyError: options.bodyError,
        rawBody: options.rawBody ?? null,
      }),
      remoteAddress: '203.0.113.7',
      userAgent: 'partner/1.0',
      event,
      clickId,
      receivedAt: (options.receivedAt ?? new Date()).toISOString(),
    },
    { accountId: integration.accountId, integrationId: integration.id, correlationId: clickId },
  );
}

/** Publishes in order; events of one click share a key, so they stay in order. */
export async function publish(
  events: Array<ClickRegisteredEvent | PostbackReceivedEvent>,
): Promise<void> {
  const producer = await seedProducer();
  for (const event of events) {
    const topic = event.type === 'ClickRegistered' ? Topics.Clicks : Topics.Postbacks;
    const key =
      event.type === 'ClickRegistered'
        ? event.payload.clickId
        : (event.payload.clickId ?? event.integrationId);
    await producer.publish(topic, event, key);
  }
}

/** The attribution consumer's group under a test prefix, positioned at the end of its topics. */
export async function freshGroupPrefix(label: string): Promise<string> {
  const prefix = `test.${label}.${randomBytes(4).toString('hex')}`;
  await startGroupsAtEnd(testKafka('attribution-test'), prefix, {
    attribution: [Topics.Clicks, Topics.Postbacks],
  });
  return prefix;
}

/** Reads what attribution published (shared topics: always filter by your own ids). */
export class OutputReader {
  private readonly kafka = testKafka('attribution-test');
  private readonly outcomes = new TopicTail(this.kafka, Topics.PostbackOutcomes);
  private readonly conversions = new TopicTail(this.kafka, Topics.Conversions);

  async start(): Promise<this> {
    await Promise.all([this.outcomes.start(), this.conversions.start()]);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.outcomes.stop(), this.conversions.stop()]);
  }

  /** Every PostbackProcessed of a postback, in topic order. */
  outcomesOf(postbackId: string): PostbackProcessedEvent[] {
    return this.outcomes
      .events()
      .filter(
        (e): e is PostbackProcessedEvent =>
          e.type === 'PostbackProcessed' && e.payload.postbackId === postbackId,
      );
  }

  /** A postback's outcomes as the relay sent them: key, headers and the event. */
  outcomeMessagesOf(
    postbackId: string,
  ): Array<{ key: string | null; headers: Record<string, string>; event: PostbackProcessedEvent }> {
    return this.outcomes.records.flatMap(({ key, headers, value }) => {
      const event = value ? (JSON.parse(value.toString('utf8')) as PostbackProcessedEvent) : null;
      return event?.type === 'PostbackProcessed' && event.payload.postbackId === postbackId
        ? [{ key, headers, event }]
        : [];
    });
  }

  latestOutcome(postbackId: string): PostbackProcessedEvent | undefined {
    return this.outcomesOf(postbackId).at(-1);
  }

  conversionsOf(postbackId: string): ConversionRecordedEvent[] {
    return this.conversions
      .events()
      .filter(
        (e): e is ConversionRecordedEvent =>
          e.type === 'ConversionRecorded' && e.payload.postbackId === postbackId,
      );
  }
}

export async function api<T = unknown>(
  baseUrl: string,
  path: string,
  apiKey: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  return { status: response.status, body: (await response.json()) as T };
}
