import { APP_HEAP_LIMIT_MB, heapCapArgs } from './heap-cap';

describe('heapCapArgs', () => {
  it('caps each app process as the images do when nothing else sets a cap', () => {
    expect(heapCapArgs([], '')).toEqual([`--max-old-space-size=${APP_HEAP_LIMIT_MB}`]);
    expect(heapCapArgs(['--enable-source-maps'], '--trace-warnings')).toEqual([
      '--max-old-space-size=192',
    ]);
  });

  it("leaves the caller's own cap alone, given as a flag or in NODE_OPTIONS", () => {
    expect(heapCapArgs(['--max-old-space-size=512'], '')).toEqual([]);
    expect(heapCapArgs([], '--inspect --max-old-space-size=1024')).toEqual([]);
  });
});
