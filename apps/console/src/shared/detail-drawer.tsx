import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorState, Loading } from './ui';

/**
 * The side panel of a list's open item (`?open=<id>`, see `useKeysetList`): a non-modal dialog
 * beside the list, focus on Close when it opens, Escape closes; the item's loading and error
 * states, then `children` once it has arrived.
 */
export function DetailDrawer({
  title,
  titleId,
  testId,
  item,
  onClose,
  children,
}: {
  title: string;
  /** The heading's id, which labels the dialog. */
  titleId: string;
  testId: string;
  /** The item's query state. */
  item: { isPending: boolean; error: unknown };
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <aside
      className="drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      data-testid={testId}
    >
      <header>
        <h2 id={titleId}>{title}</h2>
        <button type="button" ref={closeRef} onClick={onClose}>
          {t('common.close')}
        </button>
      </header>
      {item.isPending ? <Loading /> : null}
      {item.error ? <ErrorState error={item.error} /> : null}
      {children}
    </aside>
  );
}
