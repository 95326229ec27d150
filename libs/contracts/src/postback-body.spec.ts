import { readFormBody, readJsonBody, readPostbackBody } from './postback-body';

describe('reading a postback body (SPEC section 4)', () => {
  it('takes a flat JSON object', () => {
    expect(readJsonBody('{"click_id":"X","sumdep":30}')).toEqual({
      body: { click_id: 'X', sumdep: 30 },
      bodyError: null,
      rawBody: null,
    });
  });

  it('keeps invalid JSON raw, saying what failed to parse', () => {
    const raw = '{"click_id": abc, "sumdep": 30.00,}';
    const reading = readJsonBody(raw);
    expect(reading).toMatchObject({ body: null, rawBody: raw });
    expect(reading.bodyError).toMatch(/^body is not valid JSON: /);
  });

  it.each(['[1]', '"x"', 'null'])('keeps %s raw: not a flat object', (raw) => {
    expect(readJsonBody(raw)).toEqual({
      body: null,
      bodyError: 'JSON body must be a flat object',
      rawBody: raw,
    });
  });

  it('reads form bodies with repeated names as arrays, names as data', () => {
    expect(readFormBody('a=1&a=2&__proto__=x&b=c+d').body).toEqual(
      JSON.parse('{"a":["1","2"],"__proto__":"x","b":"c d"}'),
    );
  });

  it('dispatches on the media type and keeps other types raw', () => {
    expect(
      readPostbackBody('a=1', 'application/x-www-form-urlencoded; charset=utf-8').body,
    ).toEqual({
      a: '1',
    });
    expect(readPostbackBody('<a/>', 'application/xml')).toEqual({
      body: null,
      bodyError: "unsupported content type 'application/xml'",
      rawBody: '<a/>',
    });
    expect(readPostbackBody('', 'application/json')).toEqual({
      body: null,
      bodyError: null,
      rawBody: null,
    });
  });
});
