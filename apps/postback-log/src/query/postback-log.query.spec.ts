import { containsPattern, valueFragmentOf } from './postback-log.query';

describe('postback log q', () => {
  it('escapes LIKE wildcards and lower-cases', () => {
    expect(containsPattern('A_1%\\')).toBe('%a\\_1\\%\\\\%');
  });

  it('finds the longest piece of q that must lie in one parameter value', () => {
    expect(valueFragmentOf('click_id=abc123')).toBe('abc123');
    expect(valueFragmentOf('x=1&trader_id=4000&c')).toBe('4000');
    expect(valueFragmentOf('a=b=cd&e')).toBe('b=cd');
    expect(valueFragmentOf('sumdep')).toBe('');
    expect(valueFragmentOf('tracker-postback?click_id')).toBe('');
    expect(valueFragmentOf('id=')).toBe('');
  });
});
