import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api, ApiError } from '../../api/client';
import { saveApiKey } from '../../api/session';
import { CopyField, fieldError, FieldMessage, FormError } from '../../shared/ui';

interface CreatedAccount {
  id: string;
  name: string;
  apiKey: string;
}

/** The operator creates an account with the admin token; the new key is shown once. */
export default function AdminPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [saved, setSaved] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      api<CreatedAccount>('POST', '/api/accounts', { token: token.trim(), body: { name } }),
    onSuccess: () => setToken(''),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  const badToken = create.error instanceof ApiError && create.error.status === 401;
  if (create.data) {
    const account = create.data;
    return (
      <section className="narrow">
        <h1>{t('admin.created', { name: account.name })}</h1>
        <div className="alert warn" role="status">
          {t('admin.once')}
        </div>
        <CopyField value={account.apiKey} label={t('admin.apiKey')} testId="new-api-key" />
        <label className="check">
          <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} />{' '}
          {t('admin.saved')}
        </label>
        <button
          type="button"
          disabled={!saved}
          onClick={() => {
            saveApiKey(account.apiKey);
            navigate('/');
          }}
        >
          {t('admin.continue')}
        </button>
      </section>
    );
  }
  return (
    <section className="narrow">
      <h1>{t('admin.title')}</h1>
      <p>{t('admin.intro')}</p>
      <form onSubmit={submit}>
        <label htmlFor="admin-token">{t('admin.token')}</label>
        <input
          id="admin-token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          required
          aria-invalid={badToken}
          aria-describedby={badToken ? 'admin-token-error' : undefined}
        />
        <FieldMessage id="admin-token-error" message={badToken ? t('admin.badToken') : null} />
        <label htmlFor="account-name">{t('admin.name')}</label>
        <input
          id="account-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
          aria-describedby="account-name-error"
        />
        <FieldMessage
          id="account-name-error"
          message={fieldError(create.error, 'name')}
          label={t('admin.name')}
        />
        {!badToken ? <FormError error={create.error} fields={['name']} /> : null}
        <button type="submit" disabled={create.isPending}>
          {t('admin.submit')}
        </button>
      </form>
      <p>
        <Link to="/sign-in">{t('admin.haveKey')}</Link>
      </p>
    </section>
  );
}
