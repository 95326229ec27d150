import { addDays, formatDelay, midnightIn, periodIn } from './dates';

describe('console times', () => {
  it('reads picker dates as midnights in the chosen zone, "to" through its day', () => {
    expect(midnightIn('2026-11-30', 'UTC')).toBe('2026-11-30T00:00:00.000Z');
    expect(midnightIn('2026-11-30', 'Europe/Moscow')).toBe('2026-11-29T21:00:00.000Z');
    expect(midnightIn('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
    expect(periodIn('2026-11-01', '2026-11-30', 'Asia/Tokyo')).toEqual({
      from: '2026-10-31T15:00:00.000Z',
      to: '2026-11-30T15:00:00.000Z',
    });
    expect(periodIn('', '', 'UTC')).toEqual({});
  });

  it('says the delay since the click in the user’s language', () => {
    expect(formatDelay('2026-11-30T10:00:00Z', '2026-11-30T10:04:12Z', 'en')).toBe('4 min 12 s');
    expect(formatDelay('2026-11-30T10:00:00Z', '2026-12-01T12:00:00Z', 'ru')).toBe('1 д 2 ч');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
