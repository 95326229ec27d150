import { reservedHeaderProblem } from './reserved-headers';

describe('reserved destination headers (SPEC section 4: the sender sets them itself)', () => {
  it.each([
    ['Host', 'the sender sets it from the url'],
    ['content-length', 'the sender sets it from the body'],
    ['Transfer-Encoding', 'hop-by-hop'],
    ['CONNECTION', 'hop-by-hop'],
    ['Keep-Alive', 'hop-by-hop'],
    ['Upgrade', 'hop-by-hop'],
    ['Expect', 'hop-by-hop'],
    ['TE', 'hop-by-hop'],
    ['Trailer', 'hop-by-hop'],
    ['Proxy-Connection', 'hop-by-hop'],
    ['idempotency-KEY', "the delivery's id"],
  ])('given the header %s, when checked, then it is refused naming it', (name, reason) => {
    expect(reservedHeaderProblem(name)).toEqual({
      field: `headers.${name}`,
      message: expect.stringMatching(new RegExp(`^headers\\.${name} may not be set: .*${reason}`)),
    });
  });

  it.each(['Content-Type', 'Authorization', 'Access-Token', 'X-Host', 'User-Agent', 'Accept'])(
    'given the header %s, when checked, then a destination may set it',
    (name) => {
      expect(reservedHeaderProblem(name)).toBeNull();
    },
  );
});
