import { baseUrlProblem, buildFinalUrl } from './final-url';

const M = '{{tracker.clickid}}';

describe('buildFinalUrl', () => {
  it.each([
    [
      'seed: appends to an existing query',
      'https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123',
      'click_id',
      `https://pocketcustomer.com/register?utm_campaign=764984&utm_source=affiliate&code=JOINHERE123&click_id=${M}`,
    ],
    [
      'seed: starts a query',
      'https://u3.shortink.io/smart/mByVsLe71bbFFH',
      'click_id',
      `https://u3.shortink.io/smart/mByVsLe71bbFFH?click_id=${M}`,
    ],
    [
      'replaces the value of an existing parameter',
      'https://p.example/r?a=1&click_id=old&b=2',
      'click_id',
      `https://p.example/r?a=1&click_id=${M}&b=2`,
    ],
    [
      'replaces an existing parameter without a value',
      'https://p.example/r?sub1&b=2',
      'sub1',
      `https://p.example/r?sub1=${M}&b=2`,
    ],
    [
      'replaces every occurrence of a repeated parameter',
      'https://p.example/r?sub4=a&x=1&sub4=b',
      'sub4',
      `https://p.example/r?sub4=${M}&x=1&sub4=${M}`,
    ],
    [
      'recognises a percent-encoded parameter name',
      'https://p.example/r?click%5Fid=1',
      'click_id',
      `https://p.example/r?click%5Fid=${M}`,
    ],
    [
      'does not match a parameter that only starts with the name',
      'https://p.example/r?click_id2=1',
      'click_id',
      `https://p.example/r?click_id2=1&click_id=${M}`,
    ],
    [
      'keeps the fragment last',
      'https://p.example/land?x=1#signup',
      'click_id',
      `https://p.example/land?x=1&click_id=${M}#signup`,
    ],
    [
      'keeps the fragment last without a query',
      'https://p.example/land#/a?b=c',
      'pbclick',
      `https://p.example/land?pbclick=${M}#/a?b=c`,
    ],
    [
      'keeps percent-encoded values as given',
      'https://p.example/r?q=a%20b%2Fc&n=%E2%9C%93&plus=a+b',
      'clickid',
      `https://p.example/r?q=a%20b%2Fc&n=%E2%9C%93&plus=a+b&clickid=${M}`,
    ],
    [
      'keeps port and user info',
      'http://user:p%40ss@partner.example:8080/path/',
      'click_id',
      `http://user:p%40ss@partner.example:8080/path/?click_id=${M}`,
    ],
    [
      'a trailing ? needs no separator',
      'https://p.example/r?',
      'click_id',
      `https://p.example/r?click_id=${M}`,
    ],
    [
      'a trailing & needs no separator',
      'https://p.example/r?a=1&',
      'click_id',
      `https://p.example/r?a=1&click_id=${M}`,
    ],
    [
      'keeps the case of the scheme and host as given',
      'HTTPS://P.Example/R',
      'sub1',
      `HTTPS://P.Example/R?sub1=${M}`,
    ],
  ])('%s', (_case, baseUrl, param, expected) => {
    expect(buildFinalUrl(baseUrl, param)).toBe(expected);
  });
});

describe('baseUrlProblem', () => {
  it.each([
    'https://pocketcustomer.com/register?code=JOINHERE123',
    'http://user:pass@partner.example:8080/x',
    `https://p.example/${'a'.repeat(2048 - 'https://p.example/'.length)}`,
  ])('accepts %s', (url) => {
    expect(baseUrlProblem(url)).toBeNull();
  });

  it.each([
    ['ftp scheme', 'ftp://p.example/file'],
    ['javascript scheme', 'javascript:alert(1)'],
    ['relative URL', '/register?x=1'],
    ['scheme-relative URL', '//p.example/x'],
    ['no host', 'https:///path'],
    ['space', 'https://p.example/a b'],
    ['newline', 'https://p.example/a\nb'],
    ['non-ASCII', 'https://p.example/регистрация'],
    ['empty', ''],
    ['over 2048 characters', `https://p.example/${'a'.repeat(2049 - 'https://p.example/'.length)}`],
  ])('rejects %s', (_case, url) => {
    expect(baseUrlProblem(url)).toEqual(expect.any(String));
  });
});
