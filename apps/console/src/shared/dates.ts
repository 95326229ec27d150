/** Dates and times in the user's zone and language (Intl only, no date library). */
const formats = new Map<string, Intl.DateTimeFormat>();

function format(locale: string, timeZone: string, withDate: boolean): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${withDate}`;
  let found = formats.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(locale, {
      timeZone,
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(key, found);
  }
  return found;
}

/**
 * An instant as the console writes it: numeric date (unless `withDate` is false) and 24-hour time
 * in `timeZone`, in `locale` — the one `displayLocale` (./locale.ts) picks for the UI language, so
 * tables read the way the browser's date pickers show a day: `12/01/2026, 12:03:05` (en-US),
 * `01/12/2026, 12:03:05` (en-GB), `01.12.2026, 12:03:05` (ru-RU). An unparseable `iso` comes
 * back as given.
 */
export function formatTime(iso: string, locale: string, timeZone: string, withDate = true): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return format(locale, timeZone, withDate).format(date);
}

/** `3 s`, `4 min 12 s`, `2 h 5 min`, `3 d 4 h` between two instants. */
export function formatDelay(fromIso: string, toIso: string, language: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms)) return '—';
  const ru = language === 'ru';
  const units = ru ? { d: 'д', h: 'ч', m: 'мин', s: 'с' } : { d: 'd', h: 'h', m: 'min', s: 's' };
  const sign = ms < 0 ? '−' : '';
  let rest = Math.abs(Math.round(ms / 1000));
  const d = Math.floor(rest / 86400);
  rest -= d * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  const parts = d
    ? [`${d} ${units.d}`, `${h} ${units.h}`]
    : h
      ? [`${h} ${units.h}`, `${m} ${units.m}`]
      : m
        ? [`${m} ${units.m}`, `${s} ${units.s}`]
        : [`${s} ${units.s}`];
  return sign + parts.join(' ');
}

/** The calendar date `YYYY-MM-DD` of an instant in a zone. */
export function dateInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(instant);
  return parts;
}

/** A `YYYY-MM-DD` date moved by whole days (calendar arithmetic). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Milliseconds `timeZone` is ahead of UTC at `instant`. */
function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  const wall = Date.UTC(
    +parts.year,
    +parts.month - 1,
    +parts.day,
    +parts.hour,
    +parts.minute,
    +parts.second,
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant a `YYYY-MM-DD` midnight in `timeZone` is (DST-aware). */
export function midnightIn(date: string, timeZone: string): string {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant).toISOString();
}

/**
 * The date pickers' period as instants for the list APIs: days in the user's zone, and "to"
 * includes its day (the APIs' `to` is exclusive).
 */
export function periodIn(
  from: string,
  to: string,
  timeZone: string,
): { from?: string; to?: string } {
  const isDate = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
  return {
    ...(isDate(from) ? { from: midnightIn(from, timeZone) } : {}),
    ...(isDate(to) ? { to: midnightIn(addDays(to, 1), timeZone) } : {}),
  };
}
