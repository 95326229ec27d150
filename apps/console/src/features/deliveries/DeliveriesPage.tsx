import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, query } from '../../api/client';
import { keys, useDestinations } from '../../api/queries';
import { DELIVERY_STATUSES, type Delivery, type Page } from '../../api/types';
import { usePreferences } from '../../shared/preferences';
import { periodIn, Time } from '../../shared/time';
import { Empty, ErrorState, Loading, TableWrap } from '../../shared/ui';
import { DeliveryDrawer } from './DeliveryDrawer';
import { DeliveryStatusChip } from './DeliveryStatusChip';
import { LongText } from '../../shared/long-text';

/** Filters kept in the URL, so a filtered list is a link to share. */
export const DELIVERY_FILTERS = ['destinationId', 'status', 'clickId', 'from', 'to'] as const;
const PAGE_SIZE = 50;
/** New deliveries and attempts show without a reload, as in the postback logs. */
export const DELIVERY_POLL_MS = 2000;

/**
 * Outgoing postback deliveries, newest first (`GET /api/deliveries`, keyset pages): filters in
 * the URL, live refresh, a drawer with every attempt (`?open=<id>`) and Retry for a failed one.
 */
export default function DeliveriesPage() {
  const { t } = useTranslation();
  const { timeZone } = usePreferences();
  const [search, setSearch] = useSearchParams();
  const destinations = useDestinations();
  const filters = Object.fromEntries(
    DELIVERY_FILTERS.map((name) => [name, search.get(name) ?? '']),
  ) as Record<(typeof DELIVERY_FILTERS)[number], string>;
  const open = search.get('open');
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };
  const openItem = (id: string) => {
    const next = new URLSearchParams(search);
    next.set('open', id);
    setSearch(next);
  };
  const close = useCallback(() => {
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.delete('open');
        return next;
      },
      { replace: true },
    );
  }, [setSearch]);
  const deliveries = useInfiniteQuery({
    queryKey: [...keys.deliveries, filters, timeZone],
    queryFn: ({ pageParam, signal }) =>
      api<Page<Delivery>>(
        'GET',
        `/api/deliveries${query({ ...filters, ...periodIn(filters.from, filters.to, timeZone), limit: PAGE_SIZE, cursor: pageParam })}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? null,
    refetchInterval: DELIVERY_POLL_MS,
    refetchIntervalInBackground: false,
    placeholderData: (previous) => previous,
  });
  const destinationName = useCallback(
    (id: string) => destinations.data?.find((d) => d.id === id)?.name ?? id,
    [destinations.data],
  );
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = DELIVERY_FILTERS.some((name) => filters[name]);
  return (
    <section className={open ? 'with-drawer' : undefined}>
      <h1>{t('deliveries.title')}</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t('logs.filters')}
      >
        <label>
          {t('deliveries.cols.destination')}
          <select
            value={filters.destinationId}
            onChange={(e) => setFilter('destinationId', e.target.value)}
          >
            <option value="">{t('common.all')}</option>
            {destinations.data?.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.cols.status')}
          <select
            value={filters.status}
            onChange={(e) => setFilter('status', e.target.value)}
            data-testid="delivery-status-filter"
          >
            <option value="">{t('common.all')}</option>
            {DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`deliveries.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.cols.clickId')}
          <input value={filters.clickId} onChange={(e) => setFilter('clickId', e.target.value)} />
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
      <p className="muted live" aria-live="off">
        {t('deliveries.live', { seconds: DELIVERY_POLL_MS / 1000 })}
      </p>
      {deliveries.isPending ? <Loading /> : null}
      {deliveries.error ? <ErrorState error={deliveries.error} /> : null}
      {deliveries.data && items.length === 0 ? (
        <Empty>
          {filtered ? (
            t('deliveries.emptyFiltered')
          ) : (
            <>
              {t('deliveries.empty')} <Link to="/destinations">{t('nav.destinations')}</Link>
            </>
          )}
        </Empty>
      ) : null}
      {items.length > 0 ? (
        <TableWrap label={t('deliveries.title')}>
          <table className="log" data-testid="deliveries-table">
            <thead>
              <tr>
                <th scope="col">{t('deliveries.cols.created')}</th>
                <th scope="col">{t('deliveries.cols.destination')}</th>
                <th scope="col">{t('conversions.stage')}</th>
                <th scope="col">{t('logs.cols.status')}</th>
                <th scope="col">{t('deliveries.cols.attempts')}</th>
                <th scope="col">{t('deliveries.cols.response')}</th>
                <th scope="col">{t('deliveries.cols.lastAttempt')}</th>
                <th scope="col">{t('logs.cols.clickId')}</th>
                <th scope="col">
                  <span className="sr-only">{t('logs.details')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr
                  key={d.id}
                  data-testid="delivery-row"
                  data-status={d.status}
                  data-stage={d.stage}
                  className={d.id === open ? 'selected' : undefined}
                >
                  <td>
                    <Time value={d.createdAt} />
                  </td>
                  <td>
                    <LongText value={destinationName(d.destinationId)} expandable={false} />
                  </td>
                  <td>{t(`stage.${d.stage}`, { defaultValue: d.stage })}</td>
                  <td>
                    <DeliveryStatusChip status={d.status} />
                  </td>
                  <td>{d.attempts}</td>
                  <td title={d.error ?? undefined}>
                    {d.responseStatus ?? (d.error ? t('deliveries.noAnswer') : '—')}
                  </td>
                  <td>
                    <Time value={d.lastAttemptAt} />
                  </td>
                  <td className="mono">
                    <Link to={`/clicks/${encodeURIComponent(d.clickId)}`}>
                      <LongText value={d.clickId} expandable={false} />
                    </Link>
                  </td>
                  <td>
                    <button
                      type="button"
                      onClick={() => openItem(d.id)}
                      aria-label={`${t('logs.details')}: ${destinationName(d.destinationId)} ${d.clickId}`}
                    >
                      {t('logs.details')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      {deliveries.hasNextPage ? (
        <button
          type="button"
          onClick={() => void deliveries.fetchNextPage()}
          disabled={deliveries.isFetchingNextPage}
        >
          {t('logs.older')}
        </button>
      ) : null}
      {open ? <DeliveryDrawer id={open} destinationName={destinationName} onClose={close} /> : null}
    </section>
  );
}
