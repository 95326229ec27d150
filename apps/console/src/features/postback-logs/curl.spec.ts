import { shellQuote, toCurl } from './curl';

describe('copy as curl', () => {
  it('quotes for the shell so nothing a partner sent can break out', () => {
    expect(shellQuote(`a'b; rm -rf /`)).toBe(`'a'\\''b; rm -rf /'`);
  });

  it('replays a GET by its full URL and a POST with its body and type', () => {
    expect(
      toCurl({ method: 'GET', url: '/api/postbacks/x/tracker-postback?a=1&b=2' }, 'http://h:3000'),
    ).toBe(`curl -g -X GET 'http://h:3000/api/postbacks/x/tracker-postback?a=1&b=2'`);
    expect(
      toCurl(
        {
          method: 'POST',
          url: 'http://h/p',
          body: { click_id: 'x' },
          contentType: 'application/json',
        },
        'http://o',
      ),
    ).toBe(
      `curl -g -X POST 'http://h/p' -H 'content-type: application/json' --data-raw '{"click_id":"x"}'`,
    );
  });

  it('given a URL with unfilled macros in braces and brackets, when copied, then curl sends it as it is (no globbing)', () => {
    expect(toCurl({ method: 'GET', url: '/p?click_id={click_id}&x=[sub1]' }, 'http://h')).toBe(
      `curl -g -X GET 'http://h/p?click_id={click_id}&x=[sub1]'`,
    );
  });
});
