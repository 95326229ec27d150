import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api, query } from '../../api/client';
import { useIntegrations } from '../../api/queries';
import type { FunnelRow } from '../../api/types';
import { knownTimeZones, usePreferences } from '../../shared/preferences';
import { addDays, DateInput, dateInZone, useDisplayLocale } from '../../shared/time';
import { Amounts, Empty, ErrorState, Loading, TableWrap } from '../../shared/ui';
import { funnelCsv } from './csv';

const DayChart = lazy(() => import('./DayChart'));
const GROUPINGS = ['none', 'day', 'campaign', 'integration'] as const;

/** A rate (0.125) as a percentage in the locale the page writes numbers in (`12.5%`, `12,5 %`). */
function percent(rate: number | null, locale: string): string {
  if (rate === null) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(rate);
}

/** Funnel by period and group: counts, amounts per currency, the three rates, a day chart, CSV. */
export default function FunnelPage() {
  const { t } = useTranslation();
  const { timeZone } = usePreferences();
  const locale = useDisplayLocale();
  const [search, setSearch] = useSearchParams();
  const integrations = useIntegrations();
  const groupBy = search.get('groupBy') ?? 'none';
  const tz = search.get('tz') ?? timeZone;
  const today = dateInZone(new Date(), tz);
  const filters = {
    groupBy,
    tz,
    from: search.get('from') ?? addDays(today, -6),
    to: search.get('to') ?? today,
    integrationId: search.get('integrationId') ?? '',
    campaign: search.get('campaign') ?? '',
  };
  const set = (change: Record<string, string>) => {
    const next = new URLSearchParams(search);
    for (const [name, value] of Object.entries(change)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setSearch(next, { replace: true });
  };
  const presets: Array<[string, string, string]> = [
    ['today', today, today],
    ['yesterday', addDays(today, -1), addDays(today, -1)],
    ['7d', addDays(today, -6), today],
    ['30d', addDays(today, -29), today],
  ];
  // The form shows the last day included; the API's `to` is exclusive (SPEC section 4, Funnel).
  const period = { ...filters, to: addDays(filters.to, 1) };
  const funnel = useQuery({
    queryKey: ['funnel', period],
    queryFn: () => api<{ rows: FunnelRow[] }>('GET', `/api/funnel${query(period)}`),
    refetchInterval: 10_000,
  });
  const days = useQuery({
    queryKey: ['funnel', { ...period, groupBy: 'day' }],
    queryFn: () =>
      api<{ rows: FunnelRow[] }>('GET', `/api/funnel${query({ ...period, groupBy: 'day' })}`),
    refetchInterval: 10_000,
  });
  const zones = useMemo(() => knownTimeZones(), []);
  const integrationName = (id: string | null) =>
    integrations.data?.find((i) => i.id === id)?.name ?? id;
  const keyLabel = (row: FunnelRow) => {
    if (row.other) return t('funnel.other');
    if (groupBy === 'none') return t('funnel.total');
    if (groupBy === 'integration') return integrationName(row.key) ?? '—';
    return row.key ?? t('funnel.noCampaign');
  };
  const download = () => {
    if (!funnel.data) return;
    const blob = new Blob([funnelCsv(funnel.data.rows)], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = `funnel-${filters.from}-${filters.to}-${groupBy}.csv`;
    anchor.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const chartLabels = useMemo(
    () => ({
      day: t('funnel.group.day'),
      clicks: t('funnel.clicks'),
      registrations: t('funnel.registrations'),
      firstDeposits: t('funnel.firstDeposits'),
    }),
    [t],
  );
  return (
    <section>
      <h1>{t('funnel.title')}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label={t('logs.filters')}>
        <label>
          {t('funnel.groupBy')}
          <select
            value={groupBy}
            onChange={(e) => set({ groupBy: e.target.value })}
            data-testid="group-by"
          >
            {GROUPINGS.map((g) => (
              <option key={g} value={g}>
                {t(`funnel.group.${g}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.from')}
          <DateInput value={filters.from} onChange={(e) => set({ from: e.target.value })} />
        </label>
        <label>
          {t('common.to')}
          <DateInput value={filters.to} onChange={(e) => set({ to: e.target.value })} />
        </label>
        <label>
          {t('settings.timeZone')}
          <select value={tz} onChange={(e) => set({ tz: e.target.value })}>
            {(zones.includes(tz) ? zones : [tz, ...zones]).map((zone) => (
              <option key={zone} value={zone}>
                {zone}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('common.integration')}
          <select
            value={filters.integrationId}
            onChange={(e) => set({ integrationId: e.target.value })}
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
          {t('funnel.campaign')}
          <input value={filters.campaign} onChange={(e) => set({ campaign: e.target.value })} />
        </label>
        <div role="group" aria-label={t('funnel.presets')} className="presets">
          {presets.map(([name, from, to]) => (
            <button
              key={name}
              type="button"
              aria-pressed={filters.from === from && filters.to === to}
              onClick={() => set({ from, to })}
            >
              {t(`funnel.preset.${name}`)}
            </button>
          ))}
        </div>
      </form>
      <p className="muted">{t('funnel.note')}</p>
      {funnel.isPending ? <Loading /> : null}
      {funnel.error ? <ErrorState error={funnel.error} /> : null}
      {funnel.data && funnel.data.rows.length === 0 ? <Empty>{t('funnel.empty')}</Empty> : null}
      {funnel.data && funnel.data.rows.length > 0 ? (
        <TableWrap label={t('funnel.title')}>
          <table data-testid="funnel-table" className="funnel-table" data-group={groupBy}>
            <thead>
              <tr>
                <th scope="col">{t(`funnel.group.${groupBy}`, { defaultValue: groupBy })}</th>
                <th scope="col">{t('funnel.clicks')}</th>
                <th scope="col">{t('funnel.registrations')}</th>
                <th scope="col">{t('funnel.emailConfirmations')}</th>
                <th scope="col">{t('funnel.firstDeposits')}</th>
                <th scope="col">{t('funnel.redeposits')}</th>
                <th scope="col">{t('funnel.withdrawals')}</th>
                <th scope="col">{t('funnel.deposits')}</th>
                <th scope="col">{t('funnel.reversals')}</th>
                <th scope="col">{t('funnel.netDeposits')}</th>
                <th scope="col">{t('funnel.commission')}</th>
                <th scope="col">{t('funnel.rate.click2reg')}</th>
                <th scope="col">{t('funnel.rate.reg2fd')}</th>
                <th scope="col">{t('funnel.rate.fd2rd')}</th>
              </tr>
            </thead>
            <tbody>
              {funnel.data.rows.map((row) => (
                <tr key={`${row.key}-${row.other ? 'other' : ''}`} data-testid="funnel-row">
                  <th scope="row">{keyLabel(row)}</th>
                  <td data-testid="clicks">{row.clicks}</td>
                  <td data-testid="registrations">{row.registrations}</td>
                  <td data-testid="emailConfirmations">{row.emailConfirmations}</td>
                  <td data-testid="firstDeposits">{row.firstDeposits}</td>
                  <td>
                    {row.redeposits} ({row.uniqueRedepositors})
                  </td>
                  <td>{row.withdrawals}</td>
                  <td>
                    <Amounts amounts={row.depositAmount} />
                  </td>
                  <td data-testid="reversals">
                    {row.reversals ?? 0}
                    {row.reversals ? (
                      <>
                        {' '}
                        (<Amounts amounts={row.reversedAmount ?? {}} />)
                      </>
                    ) : null}
                  </td>
                  <td data-testid="netDeposits">
                    <Amounts amounts={row.netDepositAmount ?? row.depositAmount} />
                  </td>
                  <td>
                    <Amounts amounts={row.commissionAmount} />
                  </td>
                  <td>{percent(row.click2reg, locale)}</td>
                  <td>{percent(row.reg2fd, locale)}</td>
                  <td>{percent(row.fd2rd, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <button type="button" onClick={download} disabled={!funnel.data}>
        {t('funnel.csv')}
      </button>
      <h2>{t('funnel.chart')}</h2>
      {days.data && days.data.rows.length > 0 ? (
        <Suspense fallback={<Loading />}>
          <DayChart
            rows={days.data.rows}
            from={filters.from}
            to={filters.to}
            labels={chartLabels}
            title={t('funnel.chart')}
          />
        </Suspense>
      ) : null}
    </section>
  );
}
