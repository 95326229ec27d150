import { formatTime } from './dates';
import { usePreferences } from './preferences';

export { addDays, dateInZone, formatDelay, formatTime, midnightIn, periodIn } from './dates';

/** `<time>` in the chosen zone; hovering shows the UTC instant. */
export function Time({
  value,
  withDate = true,
}: {
  value: string | null | undefined;
  withDate?: boolean;
}) {
  const { language, timeZone } = usePreferences();
  if (!value) return <span className="muted">—</span>;
  return (
    <time
      dateTime={value}
      title={`${new Date(value).toISOString().replace('T', ' ').slice(0, 19)} UTC`}
    >
      {formatTime(value, language, timeZone, withDate)}
    </time>
  );
}
