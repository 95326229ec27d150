import { useTranslation } from 'react-i18next';
import { useIntegrations } from '../api/queries';
import { SelectFilter, type FilterName, type UrlFilters } from './keyset-list';

/** A list page's "Integration" filter: the account's integrations by name (value: their id). */
export function IntegrationFilter<F extends string>({
  list,
  name,
}: {
  list: UrlFilters<F>;
  name: FilterName<F>;
}) {
  const { t } = useTranslation();
  const integrations = useIntegrations();
  return (
    <SelectFilter
      list={list}
      name={name}
      label={t('common.integration')}
      options={integrations.data?.map((i) => [i.id, i.name] as const) ?? []}
    />
  );
}
