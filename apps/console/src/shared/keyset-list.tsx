import {
  useInfiniteQuery,
  type UseInfiniteQueryResult,
  type InfiniteData,
} from '@tanstack/react-query';
import { useCallback, type ChangeEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, query } from '../api/client';
import type { Page } from '../api/types';
import { usePreferences } from './preferences';
import { DateInput, periodIn } from './time';
import { Empty, ErrorState, Loading } from './ui';

/** Every list has a period: calendar days in the chosen zone, sent as instants (`periodIn`). */
const PERIOD_FILTERS = ['from', 'to'] as const;

/** The URL parameter that names the item shown in the detail drawer. */
const OPEN_PARAM = 'open';

/** What a list page says about its list: where the pages come from and how often to refresh. */
export interface KeysetListOptions<F extends string> {
  /** Query key prefix; filters and time zone are appended. Mutations invalidate by the prefix. */
  queryKey: readonly unknown[];
  /** The API path answering `Page<T>` (`items`, `nextCursor`) to `limit` and `cursor`. */
  path: string;
  /** The page's own filters, kept in the URL; `from` and `to` come with every list. */
  filters: readonly F[];
  /** Items per request (`limit`). */
  pageSize: number;
  /** How often the loaded pages are asked again, in milliseconds (only while the tab is seen). */
  pollMs: number;
}

export type FilterName<F extends string> = F | (typeof PERIOD_FILTERS)[number];

/** A list's filters as in the URL. */
export interface UrlFilters<F extends string> {
  /** Every filter's value as in the URL, '' when absent. */
  filters: Record<FilterName<F>, string>;
  /** Sets a filter in the URL (replacing the history entry), or removes it when empty. */
  setFilter: (name: FilterName<F>, value: string) => void;
}

/** A list's state: its filters as in the URL, the pages loaded so far, the open item. */
export interface KeysetList<T, F extends string> extends UrlFilters<F> {
  /** True when any filter is set (the empty state then says "nothing matches"). */
  filtered: boolean;
  /** The items of every loaded page, newest first as the API answers. */
  items: T[];
  query: UseInfiniteQueryResult<InfiniteData<Page<T>>>;
  /** The id in `?open=`, shown in the drawer. */
  open: string | null;
  /** Opens an item in the drawer: a new history entry, so Back closes it. */
  openItem: (id: string) => void;
  /** Closes the drawer; stable across renders (the drawer listens for Escape with it). */
  closeItem: () => void;
}

/**
 * One keyset-paged list of the API (SPEC section 9: `limit`, `cursor` → `nextCursor`) with its
 * filters in the URL, so a filtered list is a link to share; the loaded pages refresh every
 * `pollMs` and the previous answer stays on screen while a new filter loads.
 */
export function useKeysetList<T, F extends string>(
  options: KeysetListOptions<F>,
): KeysetList<T, F> {
  const { queryKey, path, pageSize, pollMs } = options;
  const { timeZone } = usePreferences();
  const [search, setSearch] = useSearchParams();
  const names = [...options.filters, ...PERIOD_FILTERS];
  const filters = Object.fromEntries(names.map((name) => [name, search.get(name) ?? ''])) as Record<
    FilterName<F>,
    string
  >;
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    setSearch(next, { replace: true });
  };
  const openItem = (id: string) => {
    const next = new URLSearchParams(search);
    next.set(OPEN_PARAM, id);
    setSearch(next);
  };
  const closeItem = useCallback(() => {
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.delete(OPEN_PARAM);
        return next;
      },
      { replace: true },
    );
  }, [setSearch]);
  const list = useInfiniteQuery({
    queryKey: [...queryKey, filters, timeZone],
    queryFn: ({ pageParam, signal }) =>
      api<Page<T>>(
        'GET',
        `${path}${query({ ...filters, ...periodIn(filters.from, filters.to, timeZone), limit: pageSize, cursor: pageParam })}`,
        { signal },
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? null,
    refetchInterval: pollMs,
    refetchIntervalInBackground: false,
    placeholderData: (previous) => previous,
  });
  return {
    filters,
    filtered: names.some((name) => filters[name]),
    setFilter,
    items: list.data?.pages.flatMap((page) => page.items) ?? [],
    query: list,
    open: search.get(OPEN_PARAM),
    openItem,
    closeItem,
  };
}

/**
 * A list page: title, filter form (the page's fields, then the period), the live note, the
 * loading, error and empty states, the rows (`children`, shown when there are any), the button
 * for older pages and, when the page has one, the drawer of the item in `?open=`.
 */
export function KeysetListPage<T, F extends string>({
  list,
  title,
  filters,
  live,
  empty,
  errorView = (error) => <ErrorState error={error} />,
  drawer,
  children,
}: {
  list: KeysetList<T, F>;
  title: string;
  filters: ReactNode;
  live?: string;
  empty: ReactNode;
  errorView?: (error: unknown) => ReactNode;
  drawer?: (id: string, close: () => void) => ReactNode;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const { query: pages, items } = list;
  const open = drawer ? list.open : null;
  return (
    <section className={open ? 'with-drawer' : undefined}>
      <h1>{title}</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t('logs.filters')}
      >
        {filters}
        <TextFilter list={list} name="from" label={t('common.from')} type="date" />
        <TextFilter list={list} name="to" label={t('common.to')} type="date" />
      </form>
      {live ? (
        <p className="muted live" aria-live="off">
          {live}
        </p>
      ) : null}
      {pages.isPending ? <Loading /> : null}
      {pages.error ? errorView(pages.error) : null}
      {pages.data && items.length === 0 ? <Empty>{empty}</Empty> : null}
      {items.length > 0 ? children : null}
      {pages.hasNextPage ? (
        <button
          type="button"
          onClick={() => void pages.fetchNextPage()}
          disabled={pages.isFetchingNextPage}
        >
          {t('logs.older')}
        </button>
      ) : null}
      {open && drawer ? drawer(open, list.closeItem) : null}
    </section>
  );
}

/** A free-text (or date) filter bound to its URL parameter. */
export function TextFilter<F extends string>({
  list,
  name,
  label,
  type,
  placeholder,
}: {
  list: UrlFilters<F>;
  name: FilterName<F>;
  label: string;
  type?: 'date' | 'search';
  placeholder?: string;
}) {
  const bound = {
    value: list.filters[name],
    onChange: (e: ChangeEvent<HTMLInputElement>) => list.setFilter(name, e.target.value),
    placeholder,
  };
  return (
    <label>
      {label}
      {type === 'date' ? <DateInput {...bound} /> : <input type={type} {...bound} />}
    </label>
  );
}

/** A choice filter bound to its URL parameter; the first option, "All", clears it. */
export function SelectFilter<F extends string>({
  list,
  name,
  label,
  options,
  testId,
}: {
  list: UrlFilters<F>;
  name: FilterName<F>;
  label: string;
  /** `[value, label]` pairs after "All". */
  options: ReadonlyArray<readonly [string, string]>;
  testId?: string;
}) {
  const { t } = useTranslation();
  return (
    <label>
      {label}
      <select
        value={list.filters[name]}
        onChange={(e) => list.setFilter(name, e.target.value)}
        data-testid={testId}
      >
        <option value="">{t('common.all')}</option>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
