import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { readApiKey } from '../../api/session';
import { fetchAllPages, keys } from '../../api/queries';
import type { Account, ApiKeyInfo } from '../../api/types';
import { switchLanguage } from '../../i18n';
import { knownTimeZones, setPreferences, usePreferences } from '../../shared/preferences';
import { Time } from '../../shared/time';
import { CopyField, ErrorState, Loading } from '../../shared/ui';

/** Whether this tab is signed in with the key shown by `prefix` (its first characters). */
function isSignedInWith(prefix: string): boolean {
  return readApiKey()?.startsWith(prefix) ?? false;
}

/** Account, API keys (create shows the key once; revoke), language, time zone, API docs. */
export default function SettingsPage() {
  const { t } = useTranslation();
  const { language, timeZone } = usePreferences();
  const queryClient = useQueryClient();
  const account = useQuery({
    queryKey: keys.account,
    queryFn: () => api<Account>('GET', '/api/account'),
  });
  const apiKeys = useQuery({
    queryKey: keys.apiKeys,
    queryFn: () => fetchAllPages<ApiKeyInfo>('/api/api-keys'),
  });
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () => api<{ apiKey: string }>('POST', '/api/api-keys', { body: {} }),
    onSuccess: (body) => {
      setCreated(body.apiKey);
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api('DELETE', `/api/api-keys/${id}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.apiKeys }),
  });
  const zones = useMemo(() => knownTimeZones(), []);
  return (
    <section>
      <h1>{t('settings.title')}</h1>
      <section className="panel">
        <h2>{t('settings.account')}</h2>
        {account.isPending ? <Loading /> : null}
        {account.error ? <ErrorState error={account.error} /> : null}
        {account.data ? (
          <dl className="facts">
            <dt>{t('admin.name')}</dt>
            <dd data-testid="account-name">{account.data.name}</dd>
            <dt>ID</dt>
            <dd className="mono">{account.data.id}</dd>
            <dt>{t('settings.createdAt')}</dt>
            <dd>
              <Time value={account.data.createdAt} />
            </dd>
          </dl>
        ) : null}
      </section>
      <section className="panel">
        <h2>{t('settings.apiKeys')}</h2>
        {apiKeys.isPending ? <Loading /> : null}
        {apiKeys.error ? <ErrorState error={apiKeys.error} /> : null}
        {apiKeys.data ? (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('settings.prefix')}</th>
                <th scope="col">{t('settings.createdAt')}</th>
                <th scope="col">{t('settings.revokedAt')}</th>
                <th scope="col">
                  <span className="sr-only">{t('settings.revoke')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {apiKeys.data.map((key) => (
                <tr key={key.id}>
                  <td className="mono">
                    {key.prefix}… {key.name ? `(${key.name})` : ''}
                    {!key.revokedAt && isSignedInWith(key.prefix) ? (
                      <span className="chip own-key" data-testid="own-key">
                        {t('settings.ownKey')}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <Time value={key.createdAt} />
                  </td>
                  <td>
                    <Time value={key.revokedAt} />
                  </td>
                  <td>
                    {!key.revokedAt ? (
                      <button
                        type="button"
                        className="danger"
                        onClick={() => {
                          const own = isSignedInWith(key.prefix);
                          const question = own
                            ? t('settings.confirmRevokeOwn')
                            : t('settings.confirmRevoke');
                          if (window.confirm(question)) revoke.mutate(key.id);
                        }}
                        aria-label={`${t('settings.revoke')}: ${key.prefix}`}
                      >
                        {t('settings.revoke')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <button type="button" onClick={() => create.mutate()} disabled={create.isPending}>
          {t('settings.newKey')}
        </button>
        {create.error ? <ErrorState error={create.error} /> : null}
        {revoke.error ? (
          <ErrorState error={revoke.error} conflictText={t('settings.lastKey')} />
        ) : null}
        {created ? (
          <div>
            <p className="alert warn">{t('admin.once')}</p>
            <CopyField value={created} label={t('admin.apiKey')} />
          </div>
        ) : null}
      </section>
      <section className="panel grid-form">
        <h2>{t('settings.preferences')}</h2>
        <label htmlFor="settings-language">{t('settings.language')}</label>
        <select
          id="settings-language"
          value={language}
          onChange={(e) => switchLanguage(e.target.value as 'en' | 'ru')}
        >
          <option value="en">English</option>
          <option value="ru">Русский</option>
        </select>
        <label htmlFor="settings-tz">{t('settings.timeZone')}</label>
        <select
          id="settings-tz"
          value={timeZone}
          onChange={(e) => setPreferences({ timeZone: e.target.value })}
        >
          {(zones.includes(timeZone) ? zones : [timeZone, ...zones]).map((zone) => (
            <option key={zone} value={zone}>
              {zone}
            </option>
          ))}
        </select>
      </section>
      <section className="panel">
        <h2>{t('settings.api')}</h2>
        <p>
          <a href="/docs">{t('settings.docs')}</a>
        </p>
      </section>
    </section>
  );
}
