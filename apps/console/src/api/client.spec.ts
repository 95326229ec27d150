import { fieldOf } from './client';

describe('the field an API message names', () => {
  it.each([
    ['limit must be between 1 and 500', 'limit'],
    ['integrationId: no such integration in this account', 'integrationId'],
    ['url uses an unknown macro {payout_usd}; known: {clickid}, …', 'url'],
    ['headers.X-Api-Token uses an unknown macro {tok}; known: …', 'headers'],
    ['url points to a loopback, private, link-local or metadata address (private)', 'url'],
    ["stages has an unknown stage 'sale'; known: registration, …", 'stages'],
    ['body is only for POST', 'body'],
  ])('%s → %s', (message, field) => {
    expect(fieldOf({ message })).toBe(field);
  });

  it('prefers the field the API states, and names none for a sentence', () => {
    expect(fieldOf({ field: 'name', message: 'url must be …' })).toBe('name');
    expect(fieldOf({ field: 'headers.X-Api-Token', message: 'headers.X-Api-Token uses …' })).toBe(
      'headers',
    );
    expect(fieldOf({ message: 'The delivery is not failed' })).toBeNull();
  });
});
