import { postbackIntegrationOfRawRequest } from './refused-postbacks';

describe('postbackIntegrationOfRawRequest', () => {
  const id = '6f1c2a9e-0d3b-4c5a-9e8f-7a6b5c4d3e2f';

  it('reads the integration id from the request line of a postback', () => {
    const raw = Buffer.from(
      `GET /api/postbacks/${id.toUpperCase()}/tracker-postback?click_id=a HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100)}`,
      'latin1',
    );
    expect(postbackIntegrationOfRawRequest(raw)).toBe(id);
  });

  it('reads it when the request line itself is cut off by the limit', () => {
    const raw = Buffer.from(`POST /api/postbacks/${id}/tracker-postback?v=${'x'.repeat(600)}`);
    expect(postbackIntegrationOfRawRequest(raw)).toBe(id);
  });

  it('finds none in other requests, or without the bytes', () => {
    expect(postbackIntegrationOfRawRequest(Buffer.from('GET /api/integrations HTTP/1.1\r\n'))).toBe(
      null,
    );
    expect(
      postbackIntegrationOfRawRequest(Buffer.from(`GET /api/postbacks/${id}/other HTTP/1.1\r\n`)),
    ).toBe(null);
    expect(postbackIntegrationOfRawRequest(undefined)).toBe(null);
  });
});
