import { decodablePathTarget, decodeFormComponent, parseFormEncoded } from './form-decoding';

describe('decoding parameters (SPEC section 5 "Reading values": invalid UTF-8 is U+FFFD)', () => {
  describe('given a value with invalid UTF-8', () => {
    it.each([
      ['%FF', '\ufffd'],
      ['%FFabc', '\ufffdabc'],
      ['x%C3%28y', 'x\ufffd(y'],
      ['%E2%82', '\ufffd'],
      ['%F0%80%80', '\ufffd\ufffd\ufffd'],
    ])('when %s is decoded, then it is %j (never the literal escape)', (raw, decoded) => {
      expect(decodeFormComponent(raw)).toBe(decoded);
    });

    it('when an encoded lone surrogate (%ED%A0%80) is decoded, then each byte is U+FFFD', () => {
      expect(decodeFormComponent('a%ED%A0%80b')).toBe('a\ufffd\ufffd\ufffdb');
    });

    it('when valid escapes sit next to the invalid byte, then they still decode', () => {
      expect(decodeFormComponent('%FF%E2%82%AC+%41')).toBe('\ufffd€ A');
    });
  });

  describe('given a value the standard keeps as it is', () => {
    it.each([
      ['100%', '100%'],
      ['%zz%4', '%zz%4'],
      ['%ZZ%FF', '%ZZ\ufffd'],
      ['a+b', 'a b'],
      ['%25FF', '%FF'],
      ['%00', '\0'],
      ['%EF%BB%BFx', '\ufeffx'],
      ['😀%F0%9F%98%80', '😀😀'],
    ])('when %j is decoded, then it is %j', (raw, decoded) => {
      expect(decodeFormComponent(raw)).toBe(decoded);
    });
  });

  describe('given a query string', () => {
    it('when parsed, then names and values decode alike, repeats are arrays in order', () => {
      const params = parseFormEncoded('fields.a=%FF&click_id=%FFabc&x%FF=1&r=1&r=2&r=3&flag&&e=');
      expect({ ...params }).toEqual({
        'fields.a': '\ufffd',
        click_id: '\ufffdabc',
        'x\ufffd': '1',
        r: ['1', '2', '3'],
        flag: '',
        e: '',
      });
    });

    it('when it names prototype members, then they are plain own parameters', () => {
      const params = parseFormEncoded('__proto__=p&constructor=c&toString=t');
      expect(Object.keys(params)).toEqual(['__proto__', 'constructor', 'toString']);
      expect(params.toString).toBe('t');
      expect(Object.getPrototypeOf(params)).toBeNull();
    });

    it('when it is empty, then there are no parameters', () => {
      expect(Object.keys(parseFormEncoded(''))).toEqual([]);
    });

    it('when compared with URLSearchParams (the WHATWG reference), then they agree', () => {
      const raw = 'a=%FF%C3%28&b=%ED%A0%80&c=%&d=%zz+%2B&e=%E2%82%AC&%FF=%00';
      expect(Object.entries(parseFormEncoded(raw))).toEqual([...new URLSearchParams(raw)]);
    });
  });
});

describe('request paths (SPEC section 9: any byte in a path parameter is data)', () => {
  it.each([
    ['/api/integrations/%FF', '/api/integrations/%EF%BF%BD'],
    ['/api/deliveries/%C0%AF', '/api/deliveries/%EF%BF%BD%EF%BF%BD'],
    ['/api/clicks/x%E2%82', '/api/clicks/x%EF%BF%BD'],
    ['/api/clicks/%ZZ', '/api/clicks/%25ZZ'],
    ['/api/clicks/%', '/api/clicks/%25'],
    ['/api/x/%FF/a%2Fb?q=%FF', '/api/x/%EF%BF%BD/a%2Fb?q=%FF'],
  ])('given %s, when made decodable, then it is %s', (target, decodable) => {
    expect(decodablePathTarget(target)).toBe(decodable);
    const path = decodable.split('?')[0];
    expect(() => decodeURIComponent(path)).not.toThrow();
  });

  it.each(['/api/integrations/abc', '/api/x/%00', '/api/x/a%2Fb', '/r/%F0%9F%98%80?x=%FF', '/'])(
    'given a path that already decodes (%s), then it is left exactly as received',
    (target) => {
      expect(decodablePathTarget(target)).toBe(target);
    },
  );

  it('decodes each segment to what decodeFormComponent reads, a plus staying a plus', () => {
    const [, , segment] = decodablePathTarget('/x/a+b%FF').split('/');
    expect(decodeURIComponent(segment)).toBe('a+b\ufffd');
  });
});
