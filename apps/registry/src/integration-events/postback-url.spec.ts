import { postbackUrl } from './postback-url';

describe('postbackUrl', () => {
  const id = '7878f1d1-3693-4d08-9c91-fa8a834e7abc';

  it('matches the seed document for the deposit event', () => {
    expect(postbackUrl('https://t.example', id, 'resale', { currency: 'usd' })).toBe(
      `https://t.example/api/postbacks/${id}/tracker-postback?tracker.event=resale&currency=usd`,
    );
  });

  it('has only tracker.event when the event has no parameters', () => {
    expect(postbackUrl('http://localhost:3000', id, 'registration', {})).toBe(
      `http://localhost:3000/api/postbacks/${id}/tracker-postback?tracker.event=registration`,
    );
  });

  it('keeps parameter order and URL-encodes values', () => {
    expect(postbackUrl('https://t.example', id, 'sale', { b: 'x y&z', a: 'é' })).toBe(
      `https://t.example/api/postbacks/${id}/tracker-postback?tracker.event=sale&b=x%20y%26z&a=%C3%A9`,
    );
  });
});
