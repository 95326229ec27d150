import { quoted } from './quoted';

describe('quoted values in explanations', () => {
  it('keeps a short value as received and cuts a long one, saying how long it was', () => {
    expect(quoted(' usd?click_id=1')).toBe(' usd?click_id=1');
    const long = 'x'.repeat(3000);
    expect(quoted(long)).toBe(`${'x'.repeat(80)}… (3000)`);
  });
});
