import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useIntegrations } from '../../api/queries';
import { Empty, ErrorState, Loading } from '../../shared/ui';
import { RegistrationLinksSection } from './RegistrationLinksSection';

/** Registration links of one integration, picked in the URL (`?integrationId=`). */
export default function RegistrationLinksPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const integrations = useIntegrations();
  if (integrations.isPending) return <Loading />;
  if (integrations.error) return <ErrorState error={integrations.error} />;
  const list = integrations.data;
  const wanted = search.get('integrationId');
  const selected = list.find((i) => i.id === wanted) ?? (wanted ? undefined : list[0]);
  if (wanted && !selected) {
    return (
      <section>
        <h1>{t('links.title')}</h1>
        <ErrorState error={new ApiError(404, 'Not found', null)} />
      </section>
    );
  }
  return (
    <section>
      <h1>{t('links.title')}</h1>
      {!selected ? (
        <Empty>
          {t('links.noIntegrations')} <Link to="/integrations">{t('nav.integrations')}</Link>
        </Empty>
      ) : (
        <>
          <label htmlFor="links-integration">{t('common.integration')}</label>
          <select
            id="links-integration"
            value={selected.id}
            onChange={(e) => setSearch({ integrationId: e.target.value }, { replace: true })}
          >
            {list.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
          <RegistrationLinksSection key={selected.id} integration={selected} />
        </>
      )}
    </section>
  );
}
