import type { EventEnvelope } from '../envelope';
import {
  clickId,
  isoDateTime,
  nullableString,
  objectSchema,
  parameterMap,
  withDescription,
} from '../json-schema';
import { Topics } from '../topics';
import type { EventDefinition } from './event-definition';

export const CLICK_REGISTERED = 'ClickRegistered';

export interface ClickRegisteredPayload {
  /** Minted by the tracker: 10–16 characters of [0-9A-Za-z], never reissued. */
  clickId: string;
  /** The registration link the click came through, or null for a click made via the API. */
  linkId: string | null;
  integrationId: string | null;
  campaign: string | null;
  source: string | null;
  subscriberId: string | null;
  /** Every other query/body parameter of the click. */
  params: Record<string, string | string[]>;
  userAgent: string | null;
  remoteAddress: string | null;
  createdAt: string;
}

export type ClickRegisteredEvent = EventEnvelope<
  typeof CLICK_REGISTERED,
  ClickRegisteredPayload,
  1
>;

const payloadSchema = objectSchema({
  clickId: withDescription(clickId, 'The minted click id.'),
  linkId: withDescription(nullableString, 'Registration link id, or null for an API click.'),
  integrationId: nullableString,
  campaign: nullableString,
  source: nullableString,
  subscriberId: nullableString,
  params: withDescription(parameterMap, 'Other parameters given with the click.'),
  userAgent: nullableString,
  remoteAddress: nullableString,
  createdAt: isoDateTime,
});

export const ClickRegisteredDefinition: EventDefinition<ClickRegisteredEvent> = {
  type: CLICK_REGISTERED,
  version: 1,
  topic: Topics.Clicks,
  description: 'A click id was minted (tracking redirect or click API): the source of truth.',
  integrationScoped: false,
  payloadSchema,
  example: {
    id: '0193b6e1-0a2b-7c3d-8e4f-5a6b7c8d9e0f',
    type: CLICK_REGISTERED,
    version: 1,
    occurredAt: '2026-11-24T04:41:17.250Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
    correlationId: 'Xk3p9QmZ2rTa',
    payload: {
      clickId: 'Xk3p9QmZ2rTa',
      linkId: '2c9a4e71-8b3f-4d6a-a1e5-7f0b9c2d4e81',
      integrationId: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
      campaign: 'winter-promo',
      source: 'telegram-ads',
      subscriberId: '781234567',
      params: { lang: 'en', tags: ['vip', 'retarget'] },
      userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)',
      remoteAddress: '198.51.100.23',
      createdAt: '2026-11-24T04:41:17.250Z',
    },
  },
};
