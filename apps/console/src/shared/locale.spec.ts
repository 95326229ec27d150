import { formatTime } from './dates';
import { displayLocale } from './locale';

/** 1 December 2026: day and month differ, so an order mix-up shows. */
const INSTANT = '2026-12-01T12:03:05Z';

describe('the locale the console writes dates in', () => {
  it.each([
    // given the UI language and the browser's own locale, then the tables' locale and text
    ['en', 'en-US', 'en-US', '12/01/2026, 12:03:05'],
    ['en', 'en-GB', 'en-GB', '01/12/2026, 12:03:05'],
    ['en', 'de-DE', 'en-GB', '01/12/2026, 12:03:05'],
    ['en', 'ru-RU', 'en-GB', '01/12/2026, 12:03:05'],
    ['en', undefined, 'en-GB', '01/12/2026, 12:03:05'],
    ['en', 'not a locale', 'en-GB', '01/12/2026, 12:03:05'],
    ['ru', 'en-US', 'ru-RU', '01.12.2026, 12:03:05'],
    ['ru', 'ru-RU', 'ru-RU', '01.12.2026, 12:03:05'],
  ] as const)(
    'given a %s page in a %s browser, when it writes a time, then it uses %s: %s',
    (language, browser, locale, text) => {
      const chosen = displayLocale(language, browser);
      expect(chosen).toBe(locale);
      expect(formatTime(INSTANT, chosen, 'UTC')).toBe(text);
    },
  );

  it('given an American browser, when a table writes the day its date picker shows, then both put the month first', () => {
    // Chromium's picker in an en-US browser shows 1 December 2026 as `12/01/2026`.
    expect(formatTime(INSTANT, displayLocale('en', 'en-US'), 'UTC').slice(0, 10)).toBe(
      '12/01/2026',
    );
  });

  it('given a zone and a time without date, when it writes it, then the wall clock of that zone in 24 h', () => {
    expect(formatTime('2026-12-01T21:03:05Z', 'en-US', 'Europe/Moscow', false)).toBe('00:03:05');
    expect(formatTime('2026-12-01T21:03:05Z', 'ru-RU', 'Europe/Moscow')).toBe(
      '02.12.2026, 00:03:05',
    );
  });

  it('given a value that is no instant, when it writes it, then the value comes back as given', () => {
    expect(formatTime('soon', 'en-GB', 'UTC')).toBe('soon');
  });
});
