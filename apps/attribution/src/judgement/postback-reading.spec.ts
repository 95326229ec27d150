import {
  createEvent,
  findIntegrationTemplate,
  IntegrationChangedPayload,
  mergePostbackParams,
  PostbackReceivedEvent,
} from '@tracker/contracts';
import { paramsHash, readPostback } from './postback-reading';

const template = findIntegrationTemplate('pocket-option-revshare-v2')!;
const integration: IntegrationChangedPayload = {
  id: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
  accountId: 'acc',
  name: 'PO',
  template: template.id,
  clickIdParam: 'sub1',
  amountParam: 'sumdep',
  defaultCurrency: 'USD',
  fieldParams: { trader_id: 'trader_id' },
  enabled: true,
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedAt: '2026-11-20T10:00:00.000Z',
  events: template.events.map((e) => ({ ...e, params: { ...e.params } })),
  registrationLinks: [],
};

/** What the ingress records: tracker.event and the first non-empty click id candidate. */
function received(
  query: Record<string, string>,
  body: Record<string, unknown> | null = null,
): PostbackReceivedEvent {
  const merged = mergePostbackParams(query, body);
  const clickId =
    ['sub1', 'clickid', 'click_id', 'tracker.clickid']
      .map((name) => merged.get(name))
      .find((value) => value !== undefined && value !== '') ?? null;
  return createEvent(
    'PostbackReceived',
    {
      method: 'GET',
      url: '/x',
      query,
      body,
      remoteAddress: null,
      userAgent: null,
      event: merged.get('tracker.event') ?? null,
      clickId,
      receivedAt: '2026-11-24T05:00:00.000Z',
    },
    { accountId: 'acc', integrationId: integration.id },
  );
}

describe('readPostback (SPEC section 5)', () => {
  it.each([
    [
      { sub1: 'Xk3p9QmZ2rTa' },
      'event_missing',
      /expected parameter 'tracker.event'.*'registration'/,
    ],
    [{ 'tracker.event': 'dep', sub1: 'Xk3p9QmZ2rTa' }, 'unknown_event', /'dep'.*'sale', 'resale'/],
    [{ 'tracker.event': 'Sale', sub1: 'Xk3p9QmZ2rTa' }, 'unknown_event', /case-sensitive/],
    [
      { 'tracker.event': 'sale' },
      'click_id_missing',
      /expected parameter 'sub1' \(or 'clickid', 'click_id', 'tracker.clickid'\)/,
    ],
    [{ 'tracker.event': 'sale', sub1: '' }, 'click_id_missing', /parameter 'sub1' is empty/],
    [
      { 'tracker.event': 'sale', sub1: '{click_id}' },
      'click_id_missing',
      /parameter 'sub1' holds the unsubstituted macro '\{click_id\}'/,
    ],
    [
      { 'tracker.event': 'sale', click_id: '{{tracker.clickid}}' },
      'click_id_missing',
      /parameter 'click_id' holds the unsubstituted macro '\{\{tracker.clickid\}\}'/,
    ],
    [{ 'tracker.event': 'sale', sub1: '[sub1]' }, 'click_id_missing', /unsubstituted macro/],
    [
      { 'tracker.event': 'sale', sub1: 'Xk3p9QmZ2rTa', sumdep: '12,50' },
      'invalid_amount',
      /'sumdep' holds '12,50'.*with a dot/,
    ],
    [
      { 'tracker.event': 'sale', sub1: 'Xk3p9QmZ2rTa', sumdep: '{sumdep}' },
      'invalid_amount',
      /did not substitute/,
    ],
    [
      { 'tracker.event': 'sale', sub1: 'Xk3p9QmZ2rTa', 'tracker.cost': '-5' },
      'invalid_amount',
      /only withdrawals may be negative/,
    ],
    [
      { 'tracker.event': 'sale', sub1: 'Xk3p9QmZ2rTa', sumdep: '1', currency: 'dollars' },
      'invalid_currency',
      /parameter 'currency' holds 'dollars'.*ISO 4217/,
    ],
  ])('%j → rejected/%s', (query, errorCode, message) => {
    const reading = readPostback(received(query), integration);
    expect(reading).toMatchObject({ ok: false, rejection: { status: 'rejected', errorCode } });
    if (!reading.ok) expect(reading.rejection.error).toMatch(message);
  });

  it('rejects postbacks of a deleted integration, saying so', () => {
    const reading = readPostback(received({ 'tracker.event': 'sale' }), undefined);
    expect(reading).toMatchObject({ ok: false, rejection: { errorCode: 'unknown_event' } });
    if (!reading.ok) expect(reading.rejection.error).toMatch(/deleted/);
  });

  it.each([
    [{ sumdep: '50.00' }, '50.00', 'USD'],
    [{ sumdep: '50', 'tracker.cost': '7.5' }, '7.5', 'USD'],
    [{ sumdep: '50', currency: 'eur' }, '50', 'EUR'],
    [{ sumdep: '50', currency: 'eur', 'tracker.currency': 'gbp' }, '50', 'GBP'],
    [{}, null, null],
    [{ sumdep: '' }, null, null],
  ])('amount and currency of %j → %s %s', (params, amount, currency) => {
    const reading = readPostback(
      received({ 'tracker.event': 'sale', sub1: 'Xk3p9QmZ2rTa', ...params }),
      integration,
    );
    expect(reading).toMatchObject({
      ok: true,
      postback: { amount, currency, kind: 'first_deposit' },
    });
  });

  it('allows negative amounts for withdrawals and reads tid and fields', () => {
    const reading = readPostback(
      received({
        'tracker.event': 'withdraw',
        sub1: 'Xk3p9QmZ2rTa',
        sumdep: '-12.50',
        'tracker.tid': 'T-1',
        trader_id: '48213977',
        'fields.lang': 'en',
      }),
      integration,
    );
    expect(reading).toMatchObject({
      ok: true,
      postback: {
        kind: 'withdrawal',
        amount: '-12.50',
        tid: 'T-1',
        fields: { trader_id: '48213977', lang: 'en' },
        clickIdParam: 'sub1',
      },
    });
  });

  it('merges the body under the query: the query string wins', () => {
    const reading = readPostback(
      received(
        { 'tracker.event': 'resale', sub1: 'Xk3p9QmZ2rTa', sumdep: '10' },
        {
          sumdep: 20,
          trader_id: 77,
        },
      ),
      integration,
    );
    expect(reading).toMatchObject({
      ok: true,
      postback: { amount: '10', fields: { trader_id: '77' } },
    });
  });

  it('hashes parameters independent of their order', () => {
    const hashOf = (query: Record<string, string>) => {
      const reading = readPostback(
        received({ 'tracker.event': 'sale', sub1: 'Xk3p9QmZ2rTa', ...query }),
        integration,
      );
      return reading.ok ? reading.postback.paramsHash : null;
    };
    expect(hashOf({ a: '1', b: '2' })).toBe(hashOf({ b: '2', a: '1' }));
    expect(hashOf({ a: '1', b: '2' })).not.toBe(hashOf({ a: '1', b: '3' }));
    expect(hashOf({ a: '1', status: 'new' })).toBe(hashOf({ a: '1', status: 'approved' }));
    expect(paramsHash([['a', '1']])).not.toBe(paramsHash([['a', '2']]));
  });
});
