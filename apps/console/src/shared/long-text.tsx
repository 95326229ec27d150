import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Longer than this many characters, a value gets a "Show all" toggle. */
export const LONG_TEXT_CHARS = 64;

/**
 * A value a partner or visitor sent (click id, parameter, campaign, tid…), shown as text; one
 * longer than LONG_TEXT_CHARS on one line cut with an ellipsis, so a 3,000-character value never
 * widens a table or a page (a short one wraps where it must, never hidden). The full
 * text stays in the element (copy, screen readers), in its title (hover), and, for a long one,
 * behind a "Show all" toggle that wraps it in place (issue 13: nothing partner-sent as HTML).
 */
export function LongText({
  value,
  className,
  expandable = true,
}: {
  value: string;
  className?: string;
  /** False inside a link or button (no control within a control): the title alone then. */
  expandable?: boolean;
}) {
  const { t } = useTranslation();
  const [expanded, setExpanded] = useState(false);
  const long = value.length > LONG_TEXT_CHARS;
  return (
    <span className={`long-text-box${className ? ` ${className}` : ''}`}>
      <span
        className={long ? (expanded ? 'long-text expanded' : 'long-text') : 'short-text'}
        title={long ? value : undefined}
        data-testid="long-text"
        data-partner=""
      >
        {value}
      </span>
      {long && expandable ? (
        <button
          type="button"
          className="link-button expand"
          aria-expanded={expanded}
          onClick={() => setExpanded(!expanded)}
        >
          {expanded ? t('common.showLess') : t('common.showAll')}
        </button>
      ) : null}
    </span>
  );
}
