import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { errorText, type ErrorText } from './error-text';
import { usePreferences } from './preferences';

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

/** The server's own words under a translated error: small, marked English (SPEC section 4). */
function ErrorDetail({ detail }: { detail: string | null }) {
  if (!detail) return null;
  return (
    <small className="error-detail" lang="en" data-testid="error-detail">
      {detail}
    </small>
  );
}

/** `errorText` in the page's language. */
function useErrorText(error: unknown, fieldLabel?: string, conflictText?: string): ErrorText {
  const { t } = useTranslation();
  const { language } = usePreferences();
  return errorText(error, language, t, fieldLabel, conflictText);
}

/**
 * The state of a failed request: API down, not found (never says whose), or what the API said —
 * in Russian as a Russian sentence with the server's words below it (`errorText`).
 */
export function ErrorState({ error, conflictText }: { error: unknown; conflictText?: string }) {
  const { title, text, detail } = useErrorText(error, undefined, conflictText);
  const notFound = error instanceof ApiError && error.status === 404;
  return (
    <div className="alert error" role="alert" data-testid={notFound ? 'not-found' : undefined}>
      {title ? <strong>{title}</strong> : null}
      {title ? ' ' : null}
      {text}
      <ErrorDetail detail={detail} />
    </div>
  );
}

/** The API's error when it names `field` (shown next to that field, `FieldMessage`), else null. */
export function fieldError(error: unknown, field: string): ApiError | null {
  return error instanceof ApiError && error.field === field ? error : null;
}

export function FormError({
  error,
  fields,
  conflictText,
}: {
  error: unknown;
  fields: string[];
  conflictText?: string;
}) {
  if (!error) return null;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
  return <ErrorState error={error} conflictText={conflictText} />;
}

/**
 * The message under a field: the console's own text, or the API's error about that field as
 * `errorText` tells it; `label` is the field's label as the form shows it, for the Russian
 * sentence that names the field.
 */
export function FieldMessage({
  id,
  message,
  label,
}: {
  id: string;
  message: string | ApiError | null;
  label?: string;
}) {
  const fromApi = useErrorText(message, label);
  if (!message) return null;
  const { text, detail } = typeof message === 'string' ? { text: message, detail: null } : fromApi;
  return (
    <p className="field-error" id={id} role="alert">
      {text}
      <ErrorDetail detail={detail} />
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
