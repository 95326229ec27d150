import { DESTINATION_TEMPLATES } from './destination-templates';
import { destinationProblem, type DestinationDraft } from './destination-rules';

const draft = (overrides: Partial<DestinationDraft> = {}): DestinationDraft => ({
  method: 'GET',
  url: 'https://t.example/p?subid={clickid}',
  headers: {},
  body: null,
  stages: ['first_deposit'],
  ...overrides,
});
const check = (overrides: Partial<DestinationDraft>, allowPrivate = false) =>
  destinationProblem(draft(overrides), { allowPrivate });

describe('destination rules (SPEC section 4)', () => {
  it('given every ready template with its placeholders filled in, when checked, then it is valid', () => {
    const fill = (text: string) =>
      text.replace(/[A-Z][A-Z0-9]*_[A-Z0-9_]*[A-Z0-9]/g, (word) =>
        word === 'TRACKER_DOMAIN' ? 'ads.example' : 'filled-in',
      );
    for (const template of DESTINATION_TEMPLATES) {
      const filled = {
        ...template,
        url: fill(template.url),
        headers: Object.fromEntries(
          Object.entries(template.headers).map(([name, value]) => [name, fill(value)]),
        ),
        body: template.body === null ? null : fill(template.body),
        stages: [...template.stages],
      };
      expect({
        id: template.id,
        problem: destinationProblem(filled, { allowPrivate: false }),
      }).toEqual({ id: template.id, problem: null });
    }
  });

  it('given a ready template saved as it is, when checked, then a draft passes and an enabled one names the placeholder left', () => {
    const asIs = (enabled: boolean) =>
      DESTINATION_TEMPLATES.map((template) =>
        destinationProblem(
          { ...template, headers: { ...template.headers }, stages: [...template.stages] },
          { allowPrivate: false, enabled },
        ),
      );
    expect(asIs(false)).toEqual(DESTINATION_TEMPLATES.map(() => null));
    const problems = asIs(true);
    expect(problems).toEqual(
      DESTINATION_TEMPLATES.map(() => ({
        field: expect.stringMatching(/^(url|body|headers\..+)$/),
        message: expect.stringMatching(
          /still holds the template's placeholder [A-Z_]+: replace it before/,
        ),
      })),
    );
    expect(
      destinationProblem(draft({ url: 'https://TRACKER_DOMAIN/postback?subid={clickid}' }), {
        allowPrivate: false,
        enabled: true,
      }),
    ).toEqual({
      field: 'url',
      message:
        "url still holds the template's placeholder TRACKER_DOMAIN: replace it before the destination is enabled",
    });
  });

  it('given a parameter named like a placeholder, when enabled, then only a placeholder left as a value is one', () => {
    const enabled = (url: string) =>
      destinationProblem(draft({ url }), { allowPrivate: false, enabled: true });
    expect(enabled('https://t.example/p?CHAT_ID=12345&ACCESS_TOKEN=tok-1&subid={clickid}')).toBe(
      null,
    );
    expect(enabled('https://t.example/p?MY_CHAT_ID_X=1&subid={clickid}')).toBe(null);
    expect(enabled('https://t.example/p?chat_id=CHAT_ID&subid={clickid}')?.message).toContain(
      'placeholder CHAT_ID',
    );
    expect(enabled('https://t.example/PIXEL_ID/events?subid={clickid}')?.message).toContain(
      'placeholder PIXEL_ID',
    );
  });

  it('given an unknown macro, when checked, then the 400 names it and its field', () => {
    expect(check({ url: 'https://t.example/?p={payout}' })).toEqual({
      field: 'url',
      message: expect.stringContaining('unknown macro {payout}'),
    });
    expect(check({ method: 'POST', body: '{"a":"{amout}"}' })?.message).toContain('{amout}');
    expect(check({ headers: { 'X-A': '{foo.bar}' } })?.field).toBe('headers.X-A');
  });

  it('given CR or LF in a header, when checked, then it is refused', () => {
    expect(check({ headers: { 'X-A': 'a\r\nInjected: 1' } })).toEqual({
      field: 'headers.X-A',
      message: 'headers.X-A must not contain CR or LF',
    });
    expect(check({ headers: { 'Bad Name': 'x' } })?.field).toBe('headers');
    expect(check({ headers: { 'X-A': 'a\u0000b' } })?.message).toBe(
      'headers.X-A must not contain control characters',
    );
    expect(check({ headers: { 'X-A': 'tab\tok' } })).toBeNull();
  });

  it('given a header the sender sets itself, when checked, then the first one is named', () => {
    expect(
      check({
        headers: { Host: 'evil.com', 'Content-Length': '5', 'Transfer-Encoding': 'chunked' },
      }),
    ).toEqual({
      field: 'headers.Host',
      message: 'headers.Host may not be set: the sender sets it from the url',
    });
    expect(check({ headers: { 'X-A': 'a', 'idempotency-key': '{conversion_id}' } })?.field).toBe(
      'headers.idempotency-key',
    );
    expect(
      check({ headers: { 'Content-Type': 'text/plain', Authorization: 'Bearer t' } }),
    ).toBeNull();
  });

  it('given a literal private address, when checked, then it is refused unless allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://169.254.169.254/latest',
      'http://[::1]/',
      'http://localhost/',
      'http://10.0.0.1/',
    ]) {
      expect({ url, problem: check({ url })?.field }).toEqual({ url, problem: 'url' });
      expect(check({ url }, true)).toBeNull();
    }
  });

  it('given other mistakes, when checked, then each is named', () => {
    expect(check({ stages: [] })?.field).toBe('stages');
    expect(check({ stages: ['deposit'] })?.message).toContain("unknown stage 'deposit'");
    expect(check({ body: 'x' })).toEqual({ field: 'body', message: 'body is only for POST' });
    expect(check({ url: 'ftp://t.example/' })?.message).toContain('http or https');
    expect(check({ url: 'not a url {clickid}' })?.field).toBe('url');
    expect(check({ stages: ['reversal'] })).toBeNull();
  });

  it('given two headers whose names differ only in case, when checked, then the second is refused naming both', () => {
    expect(
      destinationProblem(
        { ...draft(), headers: { 'X-A': '1', 'x-a': '2' } },
        { allowPrivate: true },
      ),
    ).toEqual({
      field: 'headers.x-a',
      message: 'headers.x-a repeats headers.X-A (header names ignore case)',
    });
    expect(
      destinationProblem(
        { ...draft(), headers: { 'X-A': '1', 'X-B': '2' } },
        { allowPrivate: true },
      ),
    ).toBeNull();
  });
});
