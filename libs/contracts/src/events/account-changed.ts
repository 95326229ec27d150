import type { EventEnvelope } from '../envelope';
import { isoDateTime, nonEmptyString, nullableIsoDateTime, objectSchema } from '../json-schema';
import { Topics } from '../topics';
import { SHA256_HEX_PATTERN } from '../vocabulary';
import type { EventDefinition } from './event-definition';

export const ACCOUNT_CHANGED = 'AccountChanged';

export interface ApiKeySnapshot {
  id: string;
  /** Lower-case hex SHA-256 of the key; the key itself is never stored or published. */
  hash: string;
  /** The key's first characters, to tell keys apart in a UI. */
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface AccountChangedPayload {
  id: string;
  name: string;
  apiKeys: ApiKeySnapshot[];
  createdAt: string;
  updatedAt: string;
  /** A disabled account's keys authenticate nothing. */
  disabled: boolean;
}

/**
 * Published on the compacted accounts topic, keyed by the account id; every service
 * authenticates API keys against these snapshots. A deleted account is a tombstone (null
 * value, no schema), after which its keys stop working.
 */
export type AccountChangedEvent = EventEnvelope<typeof ACCOUNT_CHANGED, AccountChangedPayload, 1>;

const apiKeySchema = objectSchema({
  id: nonEmptyString,
  hash: { type: 'string', pattern: SHA256_HEX_PATTERN, description: 'Hex SHA-256 of the key.' },
  prefix: { type: 'string', description: 'First characters of the key, for display.' },
  createdAt: isoDateTime,
  revokedAt: nullableIsoDateTime,
});

const payloadSchema = objectSchema({
  id: nonEmptyString,
  name: { type: 'string' },
  apiKeys: { type: 'array', items: apiKeySchema },
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  disabled: { type: 'boolean' },
});

export const AccountChangedDefinition: EventDefinition<AccountChangedEvent> = {
  type: ACCOUNT_CHANGED,
  version: 1,
  topic: Topics.Accounts,
  description:
    'Full snapshot of an account and its hashed API keys (compacted, keyed by id; a null value is a deletion).',
  integrationScoped: false,
  payloadSchema,
  example: {
    id: '0193b6c8-1f00-7b11-8c22-3d4e5f6a7b8c',
    type: ACCOUNT_CHANGED,
    version: 1,
    occurredAt: '2026-11-20T09:58:00.000Z',
    accountId: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
    integrationId: null,
    payload: {
      id: '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f',
      name: 'Team A',
      apiKeys: [
        {
          id: 'b1f3c5d7-e9a1-4b3c-8d5e-6f7a8b9c0d1e',
          hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          prefix: 'trk_4fQx',
          createdAt: '2026-11-20T09:58:00.000Z',
          revokedAt: null,
        },
      ],
      createdAt: '2026-11-20T09:58:00.000Z',
      updatedAt: '2026-11-20T09:58:00.000Z',
      disabled: false,
    },
  },
};
