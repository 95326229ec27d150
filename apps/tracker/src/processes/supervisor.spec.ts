import { nextRestartDelayMs } from './supervisor';

describe('nextRestartDelayMs', () => {
  it('given a child that dies after a healthy run (or for the first time), then it starts again at once', () => {
    expect(nextRestartDelayMs(null)).toBe(0);
  });

  it('given a child that keeps dying young, then the waits grow 1 s, 2 s, 4 s … up to 30 s', () => {
    const waits: number[] = [];
    let last: number | null = null;
    for (let crash = 0; crash < 8; crash++) {
      last = nextRestartDelayMs(last);
      waits.push(last);
    }
    expect(waits).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});
