/**
 * Reading the funnel's `from`/`to` in a time zone (SPEC section 4, Funnel): a plain date or a
 * date-time without an offset names a wall-clock time in `tz`; an instant with `Z` or an
 * offset stays that instant.
 */

const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let found = formatters.get(timeZone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, found);
  }
  return found;
}

/** True when `tz` is an IANA zone this runtime knows (e.g. `Europe/Moscow`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds `timeZone` is ahead of UTC at `instant` (e.g. +3 h for Europe/Moscow). */
export function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timeZone` names. In a DST gap (a time that never
 * happened) it lands after the gap; in an overlap it takes the earlier of the two instants.
 */
export function wallClockToInstant(wallAsUtc: number, timeZone: string): Date {
  const first = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  const second = wallAsUtc - zoneOffsetMs(first, timeZone);
  if (first === second) return new Date(first);
  // The offset changed between the guesses: pick the candidate that reads back as the wall.
  const readsBack = (t: number) => t + zoneOffsetMs(t, timeZone) === wallAsUtc;
  if (readsBack(Math.min(first, second))) return new Date(Math.min(first, second));
  if (readsBack(Math.max(first, second))) return new Date(Math.max(first, second));
  return new Date(Math.max(first, second));
}

/** Parses a bound: plain dates and offset-less date-times in `timeZone`, instants as given. */
export function readBound(value: string, timeZone: string): Date {
  const date = PLAIN_DATE.exec(value);
  if (date) {
    return wallClockToInstant(Date.UTC(+date[1], +date[2] - 1, +date[3]), timeZone);
  }
  const local = LOCAL_DATE_TIME.exec(value);
  if (local) {
    const [, y, mo, d, h, mi, s = '0', ms = '0'] = local;
    const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(ms.padEnd(3, '0')));
    return wallClockToInstant(wall, timeZone);
  }
  return new Date(value);
}
