import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, ApiError } from '../../api/client';
import { saveApiKey } from '../../api/session';
import type { Account } from '../../api/types';
import { ErrorState, FieldMessage } from '../../shared/ui';

/** Sign in with an API key; it is checked against `GET /api/account` and kept for the tab. */
export default function SignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api<Account>('GET', '/api/account', { token: key.trim() });
      saveApiKey(key.trim());
      queryClient.clear();
      const from = (location.state as { from?: string } | null)?.from;
      navigate(from && from !== '/sign-in' ? from : '/', { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const invalid = error instanceof ApiError && error.status === 401;
  return (
    <section className="narrow">
      <h1>{t('signIn.title')}</h1>
      <p>{t('signIn.intro')}</p>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="api-key">{t('signIn.key')}</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
          aria-invalid={invalid}
          aria-describedby={invalid ? 'api-key-error' : undefined}
        />
        <FieldMessage id="api-key-error" message={invalid ? t('signIn.invalid') : null} />
        {error && !invalid ? <ErrorState error={error} /> : null}
        <button type="submit" disabled={busy || key.trim() === ''}>
          {t('signIn.submit')}
        </button>
      </form>
      <p>
        <Link to="/admin">{t('signIn.noKey')}</Link>
      </p>
    </section>
  );
}
