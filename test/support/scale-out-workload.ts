import { randomBytes } from 'node:crypto';
import {
  ClickRegisteredEvent,
  createEvent,
  FALLBACK_CLICK_ID_PARAMS,
  IntegrationChangedPayload,
  PostbackReceivedEvent,
  PostbackStatus,
  Topics,
} from '@tracker/contracts';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A click id in the tracker's format (12 of [0-9A-Za-z]). */
export function newClickId(): string {
  return [...randomBytes(12)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
}

/** What the scripted postback must end as, in every run. */
export interface Expected {
  status: Exclude<PostbackStatus, 'received'>;
  errorCode: string | null;
}

export interface Step {
  topic: string;
  key: string;
  event: ClickRegisteredEvent | PostbackReceivedEvent;
}

export interface Workload {
  /** Publish order; a click's events share a key, so they stay in order on their topic. */
  steps: Step[];
  clickIds: string[];
  expected: Map<string, Expected>;
}

type Integration = Pick<IntegrationChangedPayload, 'id' | 'accountId' | 'clickIdParam'>;

/**
 * A scripted, deterministic-by-construction stream (ids fixed once, reused by every run):
 * per integration, clicks with registration, email confirmation, first deposit, redeposit and
 * a repeated registration; clicks whose click event arrives after their first postbacks; and
 * postbacks that end unmatched or rejected.
 */
export function buildWorkload(integrations: Integration[], clicksPerIntegration: number): Workload {
  const steps: Step[] = [];
  const clickIds: string[] = [];
  const expected = new Map<string, Expected>();
  const base = Date.now() - 60 * 60 * 1000;
  let tick = 0;
  const nextTime = () => new Date(base + tick++ * 10);

  const click = (integration: Integration, clickId: string, createdAt: Date) => {
    const event = createEvent(
      'ClickRegistered',
      {
        clickId,
        linkId: null,
        integrationId: integration.id,
        campaign: `camp-${clickId.charCodeAt(0) % 3}`,
        source: 'scale-out',
        subscriberId: null,
        params: {},
        userAgent: null,
        remoteAddress: null,
        createdAt: createdAt.toISOString(),
      },
      { accountId: integration.accountId, integrationId: integration.id, correlationId: clickId },
    );
    steps.push({ topic: Topics.Clicks, key: clickId, event });
  };

  const postback = (integration: Integration, query: Record<string, string>, outcome: Expected) => {
    const clickId =
      [integration.clickIdParam, ...FALLBACK_CLICK_ID_PARAMS]
        .map((name) => query[name])
        .find((value) => value !== undefined && value !== '') ?? null;
    const event = createEvent(
      'PostbackReceived',
      {
        method: 'GET',
        url: `/api/postbacks/${integration.id}/tracker-postback?${new URLSearchParams(query)}`,
        query,
        body: null,
        remoteAddress: '203.0.113.7',
        userAgent: 'partner/1.0',
        event: query['tracker.event'] ?? null,
        clickId,
        receivedAt: nextTime().toISOString(),
      },
      { accountId: integration.accountId, integrationId: integration.id, correlationId: clickId },
    );
    steps.push({ topic: Topics.Postbacks, key: clickId ?? integration.id, event });
    expected.set(event.id, outcome);
  };

  const attributed: Expected = { status: 'attributed', errorCode: null };
  for (let i = 0; i < clicksPerIntegration; i++) {
    for (const integration of integrations) {
      const clickId = newClickId();
      clickIds.push(clickId);
      const clickedAt = new Date(base - 1000 + i);
      const registration = {
        'tracker.event': 'registration',
        click_id: clickId,
        trader_id: `T${i}`,
      };
      if (i % 5 === 4) {
        // The click event comes late: its first postbacks are unmatched, then re-judged.
        postback(integration, registration, attributed);
        postback(
          integration,
          { 'tracker.event': 'resale', click_id: clickId, sumdep: '10.00' },
          attributed,
        );
        click(integration, clickId, clickedAt);
        postback(
          integration,
          { 'tracker.event': 'resale', click_id: clickId, sumdep: '30' },
          attributed,
        );
        continue;
      }
      click(integration, clickId, clickedAt);
      postback(integration, registration, attributed);
      postback(integration, { 'tracker.event': 'conf', click_id: clickId }, attributed);
      postback(
        integration,
        { 'tracker.event': 'resale', click_id: clickId, sumdep: '10.00' },
        attributed,
      );
      postback(
        integration,
        { 'tracker.event': 'resale', click_id: clickId, sumdep: '25.50' },
        attributed,
      );
      postback(integration, registration, { status: 'duplicate', errorCode: 'duplicate' });
      if (i % 10 === 1) {
        postback(
          integration,
          { 'tracker.event': 'resale', click_id: clickId, sumdep: 'lots' },
          { status: 'rejected', errorCode: 'invalid_amount' },
        );
      }
      if (i % 10 === 3) {
        postback(
          integration,
          { 'tracker.event': 'bogus', click_id: clickId },
          { status: 'rejected', errorCode: 'unknown_event' },
        );
      }
      if (i % 10 === 5) {
        postback(
          integration,
          { 'tracker.event': 'registration', click_id: newClickId() },
          { status: 'unmatched', errorCode: 'click_not_found' },
        );
      }
      if (i % 10 === 7) {
        postback(
          integration,
          { 'tracker.event': 'registration', trader_id: `T${i}` },
          { status: 'rejected', errorCode: 'click_id_missing' },
        );
      }
    }
  }
  return { steps, clickIds, expected };
}
