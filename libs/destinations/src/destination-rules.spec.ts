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
  it('given every ready template, when checked, then it is valid', () => {
    for (const template of DESTINATION_TEMPLATES) {
      expect({
        id: template.id,
        problem: destinationProblem(
          { ...template, headers: { ...template.headers }, stages: [...template.stages] },
          { allowPrivate: false },
        ),
      }).toEqual({ id: template.id, problem: null });
    }
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
});
