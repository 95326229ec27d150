import { apiClient } from './api-client';
import { HttpReceiver } from './http-receiver';

describe('apiClient', () => {
  let server: HttpReceiver;
  let key = 'trk_default';
  const api = apiClient(
    () => server.baseUrl,
    () => key,
  );

  beforeEach(async () => {
    server = await new HttpReceiver().start();
  });

  afterEach(async () => {
    await server.stop();
  });

  const json = (status: number, body: unknown) => ({
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' },
  });

  it('sends the body as JSON with the default key, and answers status, parsed body and headers', async () => {
    server.script('/api/clicks', [json(201, { clickId: 'abc' })]);
    const answer = await api<{ clickId: string }>('POST', '/api/clicks', {
      body: { integrationId: 'i-1' },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ clickId: 'abc' });
    expect(answer.headers.get('x-request-id')).toBe('r-1');
    const [request] = server.requests;
    expect(request).toMatchObject({ method: 'POST', url: '/api/clicks' });
    expect(request.headers).toMatchObject({
      authorization: 'Bearer trk_default',
      'content-type': 'application/json',
    });
    expect(JSON.parse(request.body)).toEqual({ integrationId: 'i-1' });
  });

  it('reads the base URL and the default key at each call', async () => {
    key = 'trk_later';
    await api('GET', '/api/account');
    expect(server.requests[0].headers.authorization).toBe('Bearer trk_later');
  });

  it("uses a call's key instead of the default, and none at all for key: null", async () => {
    await api('GET', '/a', { key: 'admin-token' });
    await api('GET', '/b', { key: null });
    await apiClient(server.baseUrl)('GET', '/c');
    expect(server.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/a', 'Bearer admin-token'],
      ['/b', undefined],
      ['/c', undefined],
    ]);
  });

  it('sends no body and no content-type without a body; extra headers replace its own', async () => {
    await api('DELETE', '/api/integrations/x');
    await api('GET', '/with-headers', { headers: { authorization: 'Basic x', 'x-extra': '1' } });
    const [plain, custom] = server.requests;
    expect(plain.body).toBe('');
    expect(plain.headers['content-type']).toBeUndefined();
    expect(custom.headers).toMatchObject({ authorization: 'Basic x', 'x-extra': '1' });
  });

  it('keeps the text of an answer that is not JSON, and answers null for an empty one', async () => {
    server.script('/html', [{ status: 200, body: '<!doctype html><p>console</p>' }]);
    server.script('/empty', [{ status: 204, body: '' }]);
    expect((await api('GET', '/html')).body).toBe('<!doctype html><p>console</p>');
    expect(await api('DELETE', '/empty')).toMatchObject({ status: 204, body: null });
  });

  it('answers a 4xx as it is, and does not follow a redirect', async () => {
    server.script('/refused', [json(400, { statusCode: 400, message: 'x', field: 'name' })]);
    server.script('/r/', [{ status: 302, body: '', headers: { location: '/elsewhere' } }]);
    expect(await api('PATCH', '/refused', { body: {} })).toMatchObject({
      status: 400,
      body: { field: 'name' },
    });
    const redirect = await api('GET', '/r/link');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/elsewhere');
    expect(server.requests.map((r) => r.url)).toEqual(['/refused', '/r/link']);
  });
});
