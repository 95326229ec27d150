import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiDownError, ApiError } from '../api/client';

/** Copies text to the clipboard and says so for a moment; keyboard- and screen-reader-usable. */
export function CopyButton({
  text,
  label,
  caption,
}: {
  text: string;
  label?: string;
  caption?: string;
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API refused (insecure origin): fall back to a selection copy.
      const area = document.createElement('textarea');
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button
      type="button"
      className="copy"
      onClick={() => void copy()}
      aria-label={caption ?? (label ? `${t('common.copy')}: ${label}` : t('common.copy'))}
    >
      {copied ? t('common.copied') : (caption ?? t('common.copy'))}
      <span className="sr-only" aria-live="polite">
        {copied ? t('common.copied') : ''}
      </span>
    </button>
  );
}

/** A value to copy shown as code text (never a live link). */
export function CopyField({
  value,
  label,
  testId,
}: {
  value: string;
  label: string;
  testId?: string;
}) {
  return (
    <div className="copy-field">
      {/* A long value shows its first lines; the button copies it whole, the title shows it. */}
      <code data-testid={testId} title={value.length > 200 ? value : undefined}>
        {value}
      </code>
      <CopyButton text={value} label={label} />
    </div>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** The state of a failed request: API down, not found (never says whose), or the API's message. */
export function ErrorState({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error instanceof ApiDownError) {
    return (
      <div className="alert error" role="alert">
        <strong>{t('errors.down.title')}</strong> {t('errors.down.text')}
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 404) {
    return (
      <div className="alert error" role="alert" data-testid="not-found">
        <strong>404</strong> {t('errors.notFound')}
      </div>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="alert error" role="alert">
      {message}
    </div>
  );
}

/** The API's message shown next to the field it names; other errors go to the form's foot. */
export function fieldError(error: unknown, field: string): string | null {
  return error instanceof ApiError && error.field === field ? error.message : null;
}

export function FormError({ error, fields }: { error: unknown; fields: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
  return <ErrorState error={error} />;
}

export function FieldMessage({ id, message }: { id: string; message: string | null }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} role="alert">
      {message}
    </p>
  );
}

export function StatusChip({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`chip chip-${status}`}>{t(`status.${status}`, { defaultValue: status })}</span>
  );
}

/** A money amount per currency, never converted: `50.00 USD · 10.00 EUR`. */
export function Amounts({ amounts }: { amounts: Record<string, string> | undefined }) {
  const entries = Object.entries(amounts ?? {});
  if (entries.length === 0) return <span className="muted">—</span>;
  return <span>{entries.map(([currency, amount]) => `${amount} ${currency}`).join(' · ')}</span>;
}

/** A wide table that scrolls sideways; focusable so the keyboard can scroll it too. */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
