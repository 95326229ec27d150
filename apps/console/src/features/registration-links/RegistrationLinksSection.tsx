import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { keys, useRegistrationLinks } from '../../api/queries';
import type { Integration, RegistrationLink } from '../../api/types';
import {
  CopyField,
  Empty,
  ErrorState,
  fieldError,
  FieldMessage,
  FormError,
  Loading,
} from '../../shared/ui';
import { LocalOnlyNotice } from '../../shared/local-only-notice';
import { LongText } from '../../shared/long-text';

/** Delete with an inline confirmation, as destinations do: a link in use stops counting visits. */
function DeleteLink({
  name,
  deleting,
  onDelete,
}: {
  name: string;
  deleting: boolean;
  onDelete: () => void;
}) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button
        type="button"
        className="danger"
        onClick={() => setConfirming(true)}
        aria-label={`${t('common.delete')}: ${name}`}
      >
        {t('common.delete')}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={t('links.confirm', { name })}>
      <p>
        {t('links.confirm', { name })} {t('links.confirmWhy')}
      </p>
      <button type="button" className="danger" onClick={onDelete} disabled={deleting}>
        {t('links.deleteForever')}
      </button>{' '}
      <button type="button" onClick={() => setConfirming(false)}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

/** Paste the partner's link → the final link (with `{{tracker.clickid}}`) and our tracking link. */
export function RegistrationLinksSection({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const links = useRegistrationLinks(integration.id);
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const add = useMutation({
    mutationFn: () =>
      api<RegistrationLink>('POST', `/api/integrations/${integration.id}/registration-links`, {
        body: { name: name.trim(), baseUrl: baseUrl.trim() },
      }),
    onSuccess: () => {
      setName('');
      setBaseUrl('');
      void queryClient.invalidateQueries({ queryKey: keys.links(integration.id) });
    },
  });
  const remove = useMutation({
    mutationFn: (linkId: string) =>
      api('DELETE', `/api/integrations/${integration.id}/registration-links/${linkId}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.links(integration.id) }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <section className="panel" aria-labelledby={`links-${integration.id}`}>
      <h2 id={`links-${integration.id}`}>{t('links.title')}</h2>
      <p className="muted">
        {t('links.intro', { param: integration.clickIdParam, macro: '{{tracker.clickid}}' })}
      </p>
      {links.isPending ? <Loading /> : null}
      {links.error ? <ErrorState error={links.error} /> : null}
      {links.data?.length === 0 ? <Empty>{t('links.none')}</Empty> : null}
      <LocalOnlyNotice url={links.data?.[0]?.trackingUrl} kind="link" />
      <ul className="cards">
        {links.data?.map((link) => (
          <li key={link.id} className="card wide" data-testid={`link-${link.id}`}>
            <h3>{link.name}</h3>
            <p className="muted">
              {t('links.base')}: <LongText value={link.baseUrl} />
            </p>
            <p>{t('links.final')}</p>
            <CopyField value={link.finalUrl} label={t('links.final')} testId="final-url" />
            <p>{t('links.tracking')}</p>
            <CopyField value={link.trackingUrl} label={t('links.tracking')} testId="tracking-url" />
            <DeleteLink
              name={link.name}
              deleting={remove.isPending}
              onDelete={() => remove.mutate(link.id)}
            />
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="grid-form" aria-label={t('links.add')}>
        <label htmlFor={`link-name-${integration.id}`}>{t('links.name')}</label>
        <input
          id={`link-name-${integration.id}`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          aria-describedby={`link-name-error-${integration.id}`}
        />
        <FieldMessage
          id={`link-name-error-${integration.id}`}
          message={fieldError(add.error, 'name')}
          label={t('links.name')}
        />
        <label htmlFor={`link-base-${integration.id}`}>{t('links.base')}</label>
        <input
          id={`link-base-${integration.id}`}
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          required
          placeholder="https://pocketcustomer.com/register?…"
          aria-invalid={Boolean(fieldError(add.error, 'baseUrl'))}
          aria-describedby={`link-base-error-${integration.id}`}
        />
        <FieldMessage
          id={`link-base-error-${integration.id}`}
          message={fieldError(add.error, 'baseUrl')}
          label={t('links.base')}
        />
        <FormError error={add.error} fields={['name', 'baseUrl']} />
        <button type="submit" disabled={add.isPending}>
          {t('links.add')}
        </button>
      </form>
    </section>
  );
}
