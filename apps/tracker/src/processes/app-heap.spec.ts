import { APP_HEAP_GROWING_PERCENT, APP_HEAP_LIMIT_MB, appHeapArgs } from './app-heap';

describe('appHeapArgs', () => {
  const defaults = [
    `--max-old-space-size=${APP_HEAP_LIMIT_MB}`,
    `--heap-growing-percent=${APP_HEAP_GROWING_PERCENT}`,
  ];

  it('given no heap flags, then each app process gets the cap and growing factor of the images', () => {
    expect(appHeapArgs([], '')).toEqual(defaults);
    expect(appHeapArgs(['--enable-source-maps'], '--trace-warnings')).toEqual([
      '--max-old-space-size=192',
      '--heap-growing-percent=50',
    ]);
  });

  it("given the caller's own cap, as a flag or in NODE_OPTIONS, then it is left alone", () => {
    expect(appHeapArgs(['--max-old-space-size=512'], '')).toEqual([defaults[1]]);
    expect(appHeapArgs([], '--inspect --max-old-space-size=1024')).toEqual([defaults[1]]);
  });

  it("given the caller's own growing factor, then it is left alone", () => {
    expect(appHeapArgs(['--heap-growing-percent=300'], '')).toEqual([defaults[0]]);
    expect(appHeapArgs(['--heap-growing-percent=300', '--max-old-space-size=512'], '')).toEqual([]);
  });
});
