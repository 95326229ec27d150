import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError, query } from '../../api/client';
import { CONVERSION_STAGES, useIntegrations } from '../../api/queries';
import type { Conversion, Page } from '../../api/types';
import { usePreferences } from '../../shared/preferences';
import { periodIn, Time } from '../../shared/time';
import { Empty, ErrorState, Loading, TableWrap } from '../../shared/ui';
import { LongText } from '../../shared/long-text';

const FILTERS = ['integrationId', 'clickId', 'stage', 'campaign', 'from', 'to'] as const;

/** Attributed conversions, reversals included, newest first; filters in the URL. */
export default function ConversionsPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const { timeZone } = usePreferences();
  const integrations = useIntegrations();
  const filters = Object.fromEntries(
    FILTERS.map((name) => [name, search.get(name) ?? '']),
  ) as Record<(typeof FILTERS)[number], string>;
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };
  const conversions = useInfiniteQuery({
    queryKey: ['conversions', filters, timeZone],
    queryFn: ({ pageParam }) =>
      api<Page<Conversion>>(
        'GET',
        `/api/conversions${query({ ...filters, ...periodIn(filters.from, filters.to, timeZone), limit: 100, cursor: pageParam })}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? null,
    refetchInterval: 5000,
  });
  const items = conversions.data?.pages.flatMap((page) => page.items) ?? [];
  const missing = conversions.error instanceof ApiError && conversions.error.status === 404;
  return (
    <section>
      <h1>{t('conversions.title')}</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t('logs.filters')}
      >
        <label>
          {t('common.integration')}
          <select
            value={filters.integrationId}
            onChange={(e) => setFilter('integrationId', e.target.value)}
          >
            <option value="">{t('common.all')}</option>
            {integrations.data?.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('conversions.stage')}
          <select value={filters.stage} onChange={(e) => setFilter('stage', e.target.value)}>
            <option value="">{t('common.all')}</option>
            {[...CONVERSION_STAGES, 'reversal'].map((s) => (
              <option key={s} value={s}>
                {t(`stage.${s}`, { defaultValue: s })}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.cols.clickId')}
          <input value={filters.clickId} onChange={(e) => setFilter('clickId', e.target.value)} />
        </label>
        <label>
          {t('funnel.campaign')}
          <input value={filters.campaign} onChange={(e) => setFilter('campaign', e.target.value)} />
        </label>
        <label>
          {t('common.from')}
          <input
            type="date"
            value={filters.from}
            onChange={(e) => setFilter('from', e.target.value)}
          />
        </label>
        <label>
          {t('common.to')}
          <input type="date" value={filters.to} onChange={(e) => setFilter('to', e.target.value)} />
        </label>
      </form>
      {conversions.isPending ? <Loading /> : null}
      {missing ? (
        <p className="alert warn">{t('conversions.unavailable')}</p>
      ) : conversions.error ? (
        <ErrorState error={conversions.error} />
      ) : null}
      {conversions.data && items.length === 0 ? <Empty>{t('conversions.empty')}</Empty> : null}
      {items.length > 0 ? (
        <TableWrap label={t('conversions.title')}>
          <table className="log">
            <thead>
              <tr>
                <th scope="col">{t('logs.cols.time')}</th>
                <th scope="col">{t('conversions.stage')}</th>
                <th scope="col">{t('logs.cols.amount')}</th>
                <th scope="col">tid</th>
                <th scope="col">{t('logs.cols.clickId')}</th>
                <th scope="col">{t('funnel.campaign')}</th>
                <th scope="col">{t('conversions.source')}</th>
                <th scope="col">{t('conversions.reversal')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.id} className={c.reversedBy ? 'reversed' : undefined}>
                  <td>
                    <Time value={c.occurredAt} />
                  </td>
                  <td>
                    {t(`stage.${c.stage}`, { defaultValue: c.stage })}
                    {c.ordinal ? ` #${c.ordinal}` : ''}
                  </td>
                  <td>{c.amount ? `${c.amount} ${c.currency ?? ''}` : '—'}</td>
                  <td>
                    <LongText value={c.tid ?? '—'} expandable={false} />
                  </td>
                  <td className="mono">
                    <Link to={`/clicks/${encodeURIComponent(c.clickId)}`}>
                      <LongText value={c.clickId} expandable={false} />
                    </Link>
                  </td>
                  <td>
                    <LongText value={c.campaign ?? '—'} expandable={false} />
                  </td>
                  <td>
                    <LongText value={c.source ?? '—'} expandable={false} />
                  </td>
                  <td>
                    {c.reverses
                      ? t('conversions.reverses')
                      : c.reversedBy
                        ? t('conversions.reversedBy')
                        : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {conversions.hasNextPage ? (
        <button type="button" onClick={() => void conversions.fetchNextPage()}>
          {t('logs.older')}
        </button>
      ) : null}
    </section>
  );
}
