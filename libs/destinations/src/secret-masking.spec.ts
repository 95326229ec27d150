import {
  keptSecrets,
  maskHeaders,
  maskSecret,
  maskUrl,
  sameOrigin,
  unmaskHeaders,
  unmaskUrl,
} from './secret-masking';

describe('secret masking (SPEC section 4)', () => {
  it('given a secret, when masked, then only ••• and its last 4 characters show', () => {
    expect(maskSecret('EAAGm0PX4ZCpsBAKZAZB')).toBe('•••ZAZB');
    expect(maskSecret('short')).toBe('•••t');
  });

  it('given a Telegram URL, when masked, then the segment after /bot is masked', () => {
    expect(maskUrl('https://api.telegram.org/bot123456:ABCDEFGH/sendMessage?chat_id=1')).toBe(
      'https://api.telegram.org/bot•••EFGH/sendMessage?chat_id=1',
    );
  });

  it('given secret query values, when masked, then access_token, token, key and secret are masked', () => {
    expect(
      maskUrl(
        'https://g.example/e?access_token=AAAA1111BBBB&token=t0k3n-value&key=k&Secret=s3cr3t-xyz&subid={clickid}',
      ),
    ).toBe(
      'https://g.example/e?access_token=•••BBBB&token=•••alue&key=•••&Secret=•••-xyz&subid={clickid}',
    );
  });

  it('given camelCase credential names in the query, when masked, then their values are masked', () => {
    expect(
      maskUrl(
        'https://g.example/e?accessToken=AAAA1111BBBB&apiKey=k-12345678&clientSecret=cs-abcdefgh&userPassword=pw-87654321&subid={clickid}&keyword=spring',
      ),
    ).toBe(
      'https://g.example/e?accessToken=•••BBBB&apiKey=•••5678&clientSecret=•••efgh&userPassword=•••4321&subid={clickid}&keyword=spring',
    );
  });

  it('given headers, when masked, then Authorization and *-token values are masked', () => {
    expect(
      maskHeaders({
        Authorization: 'Bearer abcdefgh',
        'Access-Token': 'tok-12345678',
        'X-Other': 'v',
      }),
    ).toEqual({ Authorization: '•••efgh', 'Access-Token': '•••5678', 'X-Other': 'v' });
  });

  it('given a masked value sent back, when unmasked, then the stored secret is kept', () => {
    const stored = 'https://api.telegram.org/bot123456:ABCDEFGH/sendMessage?token=abcdefgh1234';
    expect(unmaskUrl(maskUrl(stored), stored)).toBe(stored);
    expect(unmaskUrl('https://api.telegram.org/bot•••EFGH/send?token=new-token-1', stored)).toBe(
      'https://api.telegram.org/bot123456:ABCDEFGH/send?token=new-token-1',
    );
    expect(unmaskUrl('https://x.example/?token=•••zzzz', stored)).toBe(
      'https://x.example/?token=•••zzzz',
    );
    expect(
      unmaskHeaders({ authorization: '•••efgh', 'X-A': 'b' }, { Authorization: 'Bearer abcdefgh' }),
    ).toEqual({ authorization: 'Bearer abcdefgh', 'X-A': 'b' });
  });

  it('given a masked value sent back with another scheme, host or port, when unmasked, then it stays masked (refused by the caller)', () => {
    const stored = 'https://graph.facebook.com/v19.0/123/events?access_token=EAABsecret9999';
    const masked = maskUrl(stored);
    expect(
      unmaskUrl(masked.replace('https://graph.facebook.com', 'http://127.0.0.1:3999'), stored),
    ).toContain('•••9999');
    expect(unmaskUrl(masked.replace('https://', 'http://'), stored)).toContain('•••9999');
    expect(
      unmaskUrl(masked.replace('graph.facebook.com', 'graph.facebook.com:8443'), stored),
    ).toContain('•••9999');
    expect(unmaskUrl(masked.replace('/v19.0/', '/v20.0/'), stored)).toBe(
      stored.replace('/v19.0/', '/v20.0/'),
    );
    expect(unmaskUrl(masked.replace('graph.facebook.com', 'GRAPH.facebook.com'), stored)).toContain(
      'EAABsecret9999',
    );
    expect(sameOrigin('{fields.host}/x', stored)).toBe(false);
    expect(
      unmaskHeaders({ Authorization: '•••efgh' }, { Authorization: 'Bearer abcdefgh' }, false),
    ).toEqual({ Authorization: '•••efgh' });
  });

  it('given credentials under other common names, when masked, then they are hidden too', () => {
    expect(maskUrl('https://x.example/p?api_key=abcdefgh1234&apikey=zzzzzzzz9876&id=7')).toBe(
      'https://x.example/p?api_key=•••1234&apikey=•••9876&id=7',
    );
    expect(maskUrl('https://x.example/p?password=hunter2hunter&client_secret=s3cr3tvalue')).toBe(
      'https://x.example/p?password=•••nter&client_secret=•••alue',
    );
    expect(
      maskHeaders({
        'X-Api-Key': 'abcdefgh1234',
        Cookie: 'sid=abcdefgh',
        'Idempotency-Key': 'd-1',
        'Content-Type': 'application/json',
      }),
    ).toEqual({
      'X-Api-Key': '•••1234',
      Cookie: '•••efgh',
      'Idempotency-Key': 'd-1',
      'Content-Type': 'application/json',
    });
  });

  it('given a PATCH, when it keeps stored secrets, then they stay only with their address, headers left out included', () => {
    const stored = {
      url: 'https://api.telegram.org/bot123456:ABCDEFGH/sendMessage',
      headers: { Authorization: 'Bearer abcdefgh', 'X-A': 'b' },
    };
    const masked = { url: maskUrl(stored.url), headers: maskHeaders(stored.headers) };
    expect(keptSecrets({ name: 'x' } as { url?: string }, stored)).toEqual(stored);
    expect(keptSecrets(masked, stored)).toEqual(stored);
    expect(keptSecrets({ url: 'https://collector.example/hook' }, stored)).toEqual({
      url: 'https://collector.example/hook',
      headers: { Authorization: '•••efgh', 'X-A': 'b' },
    });
    expect(
      keptSecrets({ url: 'https://collector.example/hook', headers: masked.headers }, stored)
        .headers,
    ).toEqual({ Authorization: '•••efgh', 'X-A': 'b' });
  });
});
