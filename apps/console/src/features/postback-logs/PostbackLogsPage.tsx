import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, query } from '../../api/client';
import { POSTBACK_STATUSES, useIntegrations } from '../../api/queries';
import type { Page, PostbackLogItem } from '../../api/types';
import { usePreferences } from '../../shared/preferences';
import { periodIn } from '../../shared/time';
import { Empty, ErrorState, Loading } from '../../shared/ui';
import { LogTable } from './LogTable';
import { PostbackDrawer } from './PostbackDrawer';

/** Filters kept in the URL, so a filtered log is a link to share. */
export const LOG_FILTERS = [
  'integrationId',
  'event',
  'status',
  'clickId',
  'q',
  'from',
  'to',
] as const;
const PAGE_SIZE = 50;
/** New postbacks show without a reload: the page asks again this often. */
export const LOG_POLL_MS = 2000;

export default function PostbackLogsPage() {
  const { t } = useTranslation();
  const { timeZone } = usePreferences();
  const [search, setSearch] = useSearchParams();
  const integrations = useIntegrations();
  const filters = Object.fromEntries(
    LOG_FILTERS.map((name) => [name, search.get(name) ?? '']),
  ) as Record<(typeof LOG_FILTERS)[number], string>;
  const open = search.get('open');
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };
  const openItem = (id: string | null) => {
    const next = new URLSearchParams(search);
    if (id) next.set('open', id);
    else next.delete('open');
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
  const logs = useInfiniteQuery({
    queryKey: ['postback-logs', filters, timeZone],
    queryFn: ({ pageParam, signal }) =>
      api<Page<PostbackLogItem>>(
        'GET',
        `/api/postback-logs${query({ ...filters, ...periodIn(filters.from, filters.to, timeZone), limit: PAGE_SIZE, cursor: pageParam })}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? null,
    refetchInterval: LOG_POLL_MS,
    refetchIntervalInBackground: false,
    placeholderData: (previous) => previous,
  });
  const items = logs.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = LOG_FILTERS.some((name) => filters[name]);
  return (
    <section className={open ? 'with-drawer' : undefined}>
      <h1>{t('logs.title')}</h1>
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
          {t('logs.cols.event')}
          <input value={filters.event} onChange={(e) => setFilter('event', e.target.value)} />
        </label>
        <label>
          {t('logs.cols.status')}
          <select
            value={filters.status}
            onChange={(e) => setFilter('status', e.target.value)}
            data-testid="status-filter"
          >
            <option value="">{t('common.all')}</option>
            {POSTBACK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('logs.cols.clickId')}
          <input value={filters.clickId} onChange={(e) => setFilter('clickId', e.target.value)} />
        </label>
        <label>
          {t('logs.search')}
          <input
            type="search"
            value={filters.q}
            onChange={(e) => setFilter('q', e.target.value)}
            placeholder={t('logs.searchHint')}
          />
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
        {t('logs.live', { seconds: LOG_POLL_MS / 1000 })}
      </p>
      {logs.isPending ? <Loading /> : null}
      {logs.error ? <ErrorState error={logs.error} /> : null}
      {logs.data && items.length === 0 ? (
        <Empty>{filtered ? t('logs.emptyFiltered') : t('logs.empty')}</Empty>
      ) : null}
      {items.length > 0 ? <LogTable items={items} openId={open} onOpen={openItem} /> : null}
      {logs.hasNextPage ? (
        <button
          type="button"
          onClick={() => void logs.fetchNextPage()}
          disabled={logs.isFetchingNextPage}
        >
          {t('logs.older')}
        </button>
      ) : null}
      {open ? <PostbackDrawer id={open} onClose={close} /> : null}
    </section>
  );
}
