import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import { keys, useIntegrations, useTemplates } from '../../api/queries';
import type { Integration } from '../../api/types';
import { Empty, ErrorState, Loading } from '../../shared/ui';

/** The template catalogue (Configure creates an integration) and the connected integrations. */
export default function CataloguePage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useTemplates();
  const integrations = useIntegrations();
  const connect = useMutation({
    mutationFn: (template: string) =>
      api<Integration>('POST', '/api/integrations', { body: { template } }),
    onSuccess: (integration) => {
      void queryClient.invalidateQueries({ queryKey: keys.integrations });
      navigate(`/integrations/${integration.id}`);
    },
  });
  return (
    <section>
      <h1>{t('integrations.title')}</h1>
      <h2>{t('integrations.connected')}</h2>
      {integrations.isPending ? <Loading /> : null}
      {integrations.error ? <ErrorState error={integrations.error} /> : null}
      {integrations.data?.length === 0 ? <Empty>{t('integrations.noneConnected')}</Empty> : null}
      {integrations.data && integrations.data.length > 0 ? (
        <ul className="cards">
          {integrations.data.map((integration) => (
            <li key={integration.id} className="card">
              <h3>
                <Link to={`/integrations/${integration.id}`}>{integration.name}</Link>
              </h3>
              <p className="muted">
                {integration.enabled ? t('integrations.enabled') : t('integrations.disabled')} ·{' '}
                {t('integrations.eventsCount', { count: integration.events.length })} ·{' '}
                {t('integrations.clickIdParam')}: <code>{integration.clickIdParam}</code>
              </p>
            </li>
          ))}
        </ul>
      ) : null}
      <h2>{t('integrations.catalogue')}</h2>
      {templates.isPending ? <Loading /> : null}
      {templates.error ? <ErrorState error={templates.error} /> : null}
      <ul className="cards">
        {templates.data?.map((template) => (
          <li key={template.id} className="card" data-testid={`template-${template.id}`}>
            <h3>{template.name}</h3>
            <p className="muted">
              {template.events.length > 0
                ? template.events.map((event) => event.name).join(', ')
                : t('integrations.customHint')}
            </p>
            <button
              type="button"
              onClick={() => connect.mutate(template.id)}
              disabled={connect.isPending}
              aria-label={`${t('integrations.configure')}: ${template.name}`}
            >
              {t('integrations.configure')}
            </button>
          </li>
        ))}
      </ul>
      {connect.error ? <ErrorState error={connect.error} /> : null}
    </section>
  );
}
