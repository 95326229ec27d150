import { createEvent } from '@tracker/contracts';
import { ConsumedEvent } from '@tracker/kafka';
import { countPostbacks } from './postback-counts';

const integrationId = '7878f1d1-3693-4d08-9c91-fa8a834e7abc';

function received(event: string | null, receivedAt: string, id = integrationId): ConsumedEvent {
  return {
    topic: 'tracker.postbacks.v1',
    partition: 0,
    offset: '0',
    key: id,
    headers: {},
    timestamp: '0',
    event: createEvent(
      'PostbackReceived',
      {
        method: 'GET',
        url: '/',
        query: {},
        body: null,
        remoteAddress: null,
        userAgent: null,
        event,
        clickId: null,
        receivedAt,
      },
      { accountId: 'a', integrationId: id },
    ),
  };
}

describe('countPostbacks', () => {
  it('counts per integration and event with the latest receipt', () => {
    expect(
      countPostbacks([
        received('registration', '2026-01-01T10:05:00.000Z'),
        received('registration', '2026-01-01T10:00:00.000Z'),
        received('Registration', '2026-01-01T09:00:00.000Z'),
      ]),
    ).toEqual([
      {
        integrationId,
        event: 'registration',
        count: 2,
        lastReceivedAt: '2026-01-01T10:05:00.000Z',
      },
      {
        integrationId,
        event: 'Registration',
        count: 1,
        lastReceivedAt: '2026-01-01T09:00:00.000Z',
      },
    ]);
  });

  it('skips postbacks without an event, with a malformed integration id, and tombstones', () => {
    const tombstone = { ...received('x', '2026-01-01T10:00:00.000Z'), event: null };
    expect(
      countPostbacks([
        received(null, '2026-01-01T10:00:00.000Z'),
        received('registration', '2026-01-01T10:00:00.000Z', 'not-a-uuid'),
        tombstone,
      ]),
    ).toEqual([]);
  });
});
