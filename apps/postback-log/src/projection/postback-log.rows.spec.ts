import { createEvent } from '@tracker/contracts';
import {
  isNewerOutcome,
  mergeParams,
  outcomeRow,
  postbackRow,
  searchTextOf,
  toCopyText,
  toRecordset,
  urlTermsOf,
} from './postback-log.rows';

const accountId = '5b0f6c1e-2d4a-4f7b-9c8e-1a2b3c4d5e6f';
const integrationId = '7878f1d1-3693-4d08-9c91-fa8a834e7abc';

describe('postback log rows', () => {
  it('merges body into params with the query winning on a conflict', () => {
    expect(mergeParams({ a: '1', b: ['x', 'y'] }, { a: 'body', c: 3 })).toEqual({
      a: '1',
      b: ['x', 'y'],
      c: 3,
    });
    expect(mergeParams({ a: '1' }, null)).toEqual({ a: '1' });
  });

  it('searches the click id and every parameter value, lower-cased, once each', () => {
    const text = searchTextOf('ClickABC123', {
      click_id: 'ClickABC123',
      mail: 'A@B.com',
      repeated: ['x', 'X', ''],
      deep: { k: 'V' },
      n: 5,
    });
    expect(text.split('\n')).toEqual(['clickabc123', 'a@b.com', 'x', '{"k":"v"}', '5']);
  });

  it('adds a value as the URL carries it where its encoding differs from the decoded value', () => {
    const url = '/api/postbacks/x/tracker-postback?mail=A%40B.com&ref=a+b&plain=Z9&flag';
    const text = searchTextOf(null, { mail: 'A@B.com', ref: 'a b', plain: 'Z9', flag: '' }, url);
    expect(text.split('\n')).toEqual(['a@b.com', 'a b', 'z9', 'a%40b.com', 'a+b']);
  });

  it('takes the URL skeleton: path and parameter names as received, lower-cased, once each', () => {
    expect(
      urlTermsOf('/api/postbacks/AbC/tracker-postback?Click_ID=1&sub%5B%5D=2&sub%5B%5D=3&flag&=x'),
    ).toEqual(['/api/postbacks/abc/tracker-postback', 'click_id', 'sub%5b%5d', 'flag']);
    expect(urlTermsOf('/api/postbacks/abc/tracker-postback')).toEqual([
      '/api/postbacks/abc/tracker-postback',
    ]);
  });

  it('maps a PostbackReceived to the postback columns', () => {
    const event = createEvent(
      'PostbackReceived',
      {
        method: 'POST',
        url: '/api/postbacks/x/tracker-postback?tracker.event=reg&click_id=abc',
        query: { 'tracker.event': 'reg', click_id: 'abc' },
        body: { click_id: 'body', amount: '5' },
        remoteAddress: null,
        userAgent: null,
        event: 'reg',
        clickId: 'abc',
        receivedAt: '2026-11-24T05:00:00.000Z',
      },
      { accountId, integrationId },
    );
    const row = postbackRow(event, 'Pocket');
    expect(row).toMatchObject({
      id: event.id,
      account_id: accountId,
      integration_id: integrationId,
      integration_name: 'Pocket',
      click_id: 'abc',
      params: { 'tracker.event': 'reg', click_id: 'abc', amount: '5' },
    });
  });

  it('orders outcomes by occurredAt, then event id', () => {
    const outcome = (occurredAt: string, id: string) =>
      outcomeRow(
        createEvent(
          'PostbackProcessed',
          {
            postbackId: '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f',
            status: 'unmatched',
            errorCode: 'click_not_found',
            error: 'no such click',
            conversionId: null,
          },
          { accountId, integrationId, occurredAt, id },
        ),
      );
    const early = outcome('2026-11-24T05:00:00.000Z', '00000000-0000-7000-8000-000000000002');
    const late = outcome('2026-11-24T05:00:01.000Z', '00000000-0000-7000-8000-000000000001');
    const sameTime = outcome('2026-11-24T05:00:01.000Z', '00000000-0000-7000-8000-000000000003');
    expect(isNewerOutcome(late, early)).toBe(true);
    expect(isNewerOutcome(early, late)).toBe(false);
    expect(isNewerOutcome(sameTime, late)).toBe(true);
    expect(early.conversion).toBeNull();
  });

  it('replaces NUL and lone surrogates, which PostgreSQL cannot store, but keeps escaped text', () => {
    const json = toRecordset([{ a: 'x\u0000y', b: '\ud800', c: '\\u0000', d: '😀' }]);
    expect(JSON.parse(json)).toEqual([{ a: 'x\ufffdy', b: '\ufffd', c: '\\u0000', d: '😀' }]);
  });

  it('writes COPY text: specials escaped, NUL as U+FFFD, null as \\N, jsonb as storable JSON', () => {
    const columns = [
      ['id', 'uuid'],
      ['url', 'text'],
      ['params', 'jsonb'],
      ['event', 'text'],
    ] as const;
    const text = toCopyText(
      [
        { id: 'a', url: 'x\ty\nz\r\\w\u0000v', params: { k: 'tab\t\u0000' }, event: null },
        { id: 'b', url: '', params: null, event: 'reg' },
      ],
      columns,
    );
    expect(text).toBe(
      'a\tx\\ty\\nz\\r\\\\w\ufffdv\t{"k":"tab\\\\t\\\\ufffd"}\t\\N\n' + 'b\t\t\\N\treg\n',
    );
  });
});
