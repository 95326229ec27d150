import { isTimeZone, readBound, zoneOffsetMs } from './zoned-period';

describe('funnel bounds read in a time zone', () => {
  it('reads a plain date as midnight in the zone', () => {
    expect(readBound('2026-11-01', 'UTC').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(readBound('2026-11-01', 'Europe/Moscow').toISOString()).toBe('2026-10-31T21:00:00.000Z');
    expect(readBound('2026-11-01', 'America/Los_Angeles').toISOString()).toBe(
      '2026-11-01T07:00:00.000Z',
    );
  });

  it('follows daylight saving time', () => {
    // New York: EDT (-4) until 1 Nov 2026 02:00, EST (-5) after.
    expect(readBound('2026-10-31', 'America/New_York').toISOString()).toBe(
      '2026-10-31T04:00:00.000Z',
    );
    expect(readBound('2026-11-02', 'America/New_York').toISOString()).toBe(
      '2026-11-02T05:00:00.000Z',
    );
    expect(zoneOffsetMs(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
    expect(zoneOffsetMs(Date.parse('2026-12-01T12:00:00Z'), 'Europe/Berlin')).toBe(3600_000);
  });

  it('reads an offset-less date-time in the zone and keeps an instant as given', () => {
    expect(readBound('2026-11-01T10:30', 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-01T01:30:00.000Z',
    );
    expect(readBound('2026-11-01T10:30:00Z', 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-01T10:30:00.000Z',
    );
    expect(readBound('2026-11-01T10:30:00+01:00', 'Asia/Tokyo').toISOString()).toBe(
      '2026-11-01T09:30:00.000Z',
    );
  });

  it('knows IANA zones', () => {
    expect(isTimeZone('Europe/Moscow')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
