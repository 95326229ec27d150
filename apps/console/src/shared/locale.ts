/** The locale Russian pages write dates and numbers in. */
export const RUSSIAN_LOCALE = 'ru-RU';

/** English pages in a browser that is not English itself: day before month, as most expect. */
export const ENGLISH_FALLBACK_LOCALE = 'en-GB';

/**
 * The browser's own locale: the one its native date pickers show (`<input type="date">`).
 * Chromium and Firefox draw the picker in their UI locale, which is also the JavaScript default
 * locale; a page cannot change it (Chromium ignores `lang` on the input). `navigator.languages`
 * is the Accept-Language list, which may start with another language than the UI, so it comes
 * only as a fallback. Answers `undefined` when neither is known (tests, old browsers).
 */
export function browserLocale(): string | undefined {
  try {
    const locale = new Intl.DateTimeFormat().resolvedOptions().locale;
    if (locale) return locale;
  } catch {
    // No Intl default: fall through to navigator.
  }
  return typeof navigator === 'undefined' ? undefined : navigator.language || undefined;
}

/**
 * The locale the console writes dates, times and numbers in for a UI language:
 * - Russian: always `ru-RU` (`01.12.2026, 12:03:05`);
 * - English: the browser's own locale (`browserLocale()`) when that is an English one, so a
 *   table's `12/01/2026` in an American browser reads the way its date picker shows
 *   `12/01/2026`, and a British one's `01/12/2026` too; otherwise `en-GB` (day first, as the
 *   pickers of Russian, German, French … browsers show it).
 * A malformed `browser` tag counts as not English.
 */
export function displayLocale(language: 'en' | 'ru', browser: string | undefined): string {
  if (language === 'ru') return RUSSIAN_LOCALE;
  if (!browser) return ENGLISH_FALLBACK_LOCALE;
  try {
    const [canonical] = Intl.getCanonicalLocales(browser);
    return new Intl.Locale(canonical).language === 'en' ? canonical : ENGLISH_FALLBACK_LOCALE;
  } catch {
    return ENGLISH_FALLBACK_LOCALE;
  }
}
