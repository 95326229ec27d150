import type { InputHTMLAttributes } from 'react';
import { formatTime } from './dates';
import { browserLocale, displayLocale } from './locale';
import { usePreferences } from './preferences';

export { addDays, dateInZone, formatDelay, formatTime, midnightIn, periodIn } from './dates';

/** The browser's locale, read once: it changes only with a browser restart. */
const BROWSER_LOCALE = browserLocale();

/** The locale dates, times and numbers are written in for the chosen language (`displayLocale`). */
export function useDisplayLocale(): string {
  const { language } = usePreferences();
  return displayLocale(language, BROWSER_LOCALE);
}

/** `<time>` in the chosen zone; hovering shows the UTC instant. */
export function Time({
  value,
  withDate = true,
}: {
  value: string | null | undefined;
  withDate?: boolean;
}) {
  const { timeZone } = usePreferences();
  const locale = useDisplayLocale();
  if (!value) return <span className="muted">—</span>;
  return (
    <time
      dateTime={value}
      title={`${new Date(value).toISOString().replace('T', ' ').slice(0, 19)} UTC`}
    >
      {formatTime(value, locale, timeZone, withDate)}
    </time>
  );
}

/**
 * A native date picker (`value` is `YYYY-MM-DD`) marked with the locale the tables use: a browser
 * that draws pickers by the element's `lang` then shows days as the tables write them; Chromium
 * and Firefox draw them in their own locale, which `displayLocale` follows in English.
 */
export function DateInput(props: Omit<InputHTMLAttributes<HTMLInputElement>, 'type' | 'lang'>) {
  const locale = useDisplayLocale();
  return <input {...props} type="date" lang={locale} />;
}
