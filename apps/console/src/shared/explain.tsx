import { useTranslation } from 'react-i18next';
import type { ErrorDetail } from '../api/types';
import { quoted } from './quoted';

interface Explainable {
  status: string;
  errorCode: string | null;
  error: string | null;
  errorDetail?: ErrorDetail | null;
}

/**
 * What to fix for a postback, in the user's language: from `errorDetail` (cause, parameter,
 * value) when the API gives it, else from `errorCode`; the API's English `error` is kept below.
 */
export function Explanation({ item }: { item: Explainable }) {
  const { t } = useTranslation();
  const detail = item.errorDetail;
  let text: string | null = null;
  if (detail?.cause) {
    text = t(`cause.${detail.cause}`, {
      param: detail.param ?? '—',
      value: quoted(detail.value ?? ''),
      defaultValue: '',
    });
  }
  if (!text && item.errorCode) text = t(`fix.${item.errorCode}`, { defaultValue: '' });
  if (!text && item.status === 'unmatched') text = t('fix.click_not_found');
  if (!text && item.status === 'received') text = t('fix.received');
  if (!text && !item.error) return null;
  return (
    <div className="explanation" data-testid="explanation">
      <h3>{t('logs.whatToFix')}</h3>
      {text ? <p data-testid="explanation-text">{text}</p> : null}
      {item.error ? (
        <p className="muted">
          <span lang="en">{item.error}</span>
        </p>
      ) : null}
    </div>
  );
}
