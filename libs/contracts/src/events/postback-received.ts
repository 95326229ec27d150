import type { EventEnvelope, IntegrationScoped } from '../envelope';
import {
  isoDateTime,
  nullableString,
  objectSchema,
  parameterMap,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import type { EventDefinition } from './event-definition';

export const POSTBACK_RECEIVED = 'PostbackReceived';

export interface PostbackReceivedPayload {
  /** HTTP method as received, e.g. "GET" or "POST". */
  method: string;
  /** Path plus raw query string exactly as received. */
  url: string;
  /** Every query parameter; a repeated one as an array in order. */
  query: Record<string, string | string[]>;
  /** Parsed form or flat JSON body, or null when there was none (or it was unparseable). */
  body: Record<string, unknown> | null;
  /** The Content-Type header as sent, or null (absent on events older than the field). */
  contentType?: string | null;
  /** Why a body was present but could not be parsed; absent or null otherwise. */
  bodyError?: string | null;
  /** The body as received (UTF-8) when it could not be parsed, so the log can show it. */
  rawBody?: string | null;
  remoteAddress: string | null;
  userAgent: string | null;
  /** The resolved `tracker.event`, or null when missing. */
  event: string | null;
  /** The resolved click id, or null when no candidate parameter was present. */
  clickId: string | null;
  receivedAt: string;
}

export type PostbackReceivedEvent = IntegrationScoped<
  EventEnvelope<typeof POSTBACK_RECEIVED, PostbackReceivedPayload, 1>
>;

// Partner input is recorded as is: the schema types it but never judges its content, since
// a postback the ingress accepted must always be publishable (errors are decided later).
const payloadSchema = objectSchema(
  {
    method: withDescription({ type: 'string' }, 'HTTP method as received.'),
    url: withDescription({ type: 'string' }, 'Path and raw query string as received.'),
    query: withDescription(parameterMap, 'All query parameters, repeated ones as arrays.'),
    body: withDescription(
      { type: ['object', 'null'] },
      'Parsed application/x-www-form-urlencoded or flat JSON body, or null.',
    ),
    contentType: withDescription(nullableString, 'The Content-Type header as sent, or null.'),
    bodyError: withDescription(nullableString, 'Why the body could not be parsed, if it was not.'),
    rawBody: withDescription(nullableString, 'The unparseable body as received, if any.'),
    remoteAddress: nullableString,
    userAgent: nullableString,
    event: withDescription(nullableString, 'Resolved tracker.event, or null.'),
    clickId: withDescription(nullableString, 'Resolved click id (not yet checked), or null.'),
    receivedAt: isoDateTime,
  },
  ['contentType', 'bodyError', 'rawBody'],
);

export const PostbackReceivedDefinition: EventDefinition<PostbackReceivedEvent> = {
  type: POSTBACK_RECEIVED,
  version: 1,
  topic: Topics.Postbacks,
  description: 'A postback call as received at the ingress: the immutable source of truth.',
  integrationScoped: true,
  payloadSchema,
  example: {
    id: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
    type: POSTBACK_RECEIVED,
    version: 1,
    occurredAt: '2026-11-24T05:00:00.000Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    correlationId: 'Xk3p9QmZ2rTa',
    payload: {
      method: 'GET',
      url: '/api/postbacks/7878f1d1-3693-4d08-9c91-fa8a834e7abc/tracker-postback?tracker.event=resale&currency=usd&click_id=Xk3p9QmZ2rTa&sumdep=50.00&trader_id=48213977',
      query: {
        'tracker.event': 'resale',
        currency: 'usd',
        click_id: 'Xk3p9QmZ2rTa',
        sumdep: '50.00',
        trader_id: '48213977',
      },
      body: null,
      contentType: null,
      bodyError: null,
      rawBody: null,
      remoteAddress: '203.0.113.7',
      userAgent: 'PocketPartners-Postback/1.0',
      event: 'resale',
      clickId: 'Xk3p9QmZ2rTa',
      receivedAt: '2026-11-24T05:00:00.000Z',
    },
  },
  moreExamples: [
    {
      id: '0193b6f2-9a10-7c21-8e3f-4a5b6c7d8e9f',
      type: POSTBACK_RECEIVED,
      version: 1,
      occurredAt: '2026-11-24T05:10:00.000Z',
      accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
      integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
      payload: {
        method: 'POST',
        url: '/api/postbacks/7878f1d1-3693-4d08-9c91-fa8a834e7abc/tracker-postback?tracker.event=resale',
        query: { 'tracker.event': 'resale' },
        body: null,
        contentType: 'application/json',
        bodyError:
          'body is not valid JSON: Unexpected token \'a\', "{"click_id": abc, "… is not valid JSON',
        rawBody: '{"click_id": abc, "sumdep": 30.00,}',
        remoteAddress: '203.0.113.7',
        userAgent: 'PocketPartners-Postback/1.0',
        event: 'resale',
        clickId: null,
        receivedAt: '2026-11-24T05:10:00.000Z',
      },
    },
  ],
};
