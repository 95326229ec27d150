import { conversionClickParams, conversionFields } from './conversion-fields';

describe('conversionFields (what a ConversionRecorded carries of the click fields)', () => {
  it('given fields within the budget, when bounded, then all of them are kept', () => {
    expect(conversionFields({ a: '1', trader_id: 'T-9' }, 1000)).toEqual({
      a: '1',
      trader_id: 'T-9',
    });
  });

  it('given fields above the budget, when bounded, then those that fit are kept in order', () => {
    const fields = { a: 'x'.repeat(40), b: 'y'.repeat(40), c: 'z' };
    // a: 1 + 40 + 6 = 47 bytes; b would make 94 > 60; c: 1 + 1 + 6 = 8 → 55.
    expect(conversionFields(fields, 60)).toEqual({ a: 'x'.repeat(40), c: 'z' });
  });

  it('given multi-byte values, when bounded, then bytes are counted, not characters', () => {
    expect(conversionFields({ a: 'я'.repeat(10) }, 20)).toEqual({});
    expect(conversionFields({ a: 'я'.repeat(10) }, 27)).toEqual({ a: 'я'.repeat(10) });
  });

  it('given a field named __proto__, when bounded, then it stays a plain data member', () => {
    const fields = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
    const kept = conversionFields(fields, 1000);
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect(JSON.stringify(kept)).toBe('{"__proto__":"p","constructor":"c"}');
  });

  it('given 2.2 MB of fields, when bounded by default, then the event part stays under 256 KiB', () => {
    const fields: Record<string, string> = {};
    for (let i = 0; i < 320; i++) fields[`f${i}`] = 'v'.repeat(7000);
    expect(Buffer.byteLength(JSON.stringify(conversionFields(fields)))).toBeLessThanOrEqual(
      256 * 1024,
    );
  });
});

describe('conversionClickParams', () => {
  it('given repeated parameters, when flattened, then each keeps its first value', () => {
    expect(conversionClickParams({ fbclid: 'IwAR', tags: ['vip', 'retarget'], none: [] })).toEqual({
      fbclid: 'IwAR',
      tags: 'vip',
    });
  });

  it('given parameters beyond the bound, when flattened, then only those that fit are kept', () => {
    const kept = conversionClickParams({ a: 'x'.repeat(50), b: 'y'.repeat(50) }, 70);
    expect(Object.keys(kept)).toEqual(['a']);
  });

  it('given a __proto__ parameter, when flattened, then it is kept as data', () => {
    const params = JSON.parse('{"__proto__":"p"}') as Record<string, string>;
    expect(Object.getOwnPropertyDescriptor(conversionClickParams(params), '__proto__')?.value).toBe(
      'p',
    );
  });
});
