import { maskHeaders, maskSecret, maskUrl, unmaskHeaders, unmaskUrl } from './secret-masking';

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
});
