import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { keys, useDestinations } from '../../api/queries';
import { DELIVERY_STATUSES, type Delivery } from '../../api/types';
import { KeysetListPage, SelectFilter, TextFilter, useKeysetList } from '../../shared/keyset-list';
import { LongText } from '../../shared/long-text';
import { Time } from '../../shared/time';
import { TableWrap } from '../../shared/ui';
import { DeliveryDrawer } from './DeliveryDrawer';
import { DeliveryStatusChip } from './DeliveryStatusChip';

/** Filters kept in the URL (with the period), so a filtered list is a link to share. */
export const DELIVERY_FILTERS = ['destinationId', 'status', 'clickId'] as const;
/** New deliveries and attempts show without a reload, as in the postback logs. */
export const DELIVERY_POLL_MS = 2000;

/**
 * Outgoing postback deliveries, newest first (`GET /api/deliveries`, keyset pages): filters in
 * the URL, live refresh, a drawer with every attempt (`?open=<id>`) and Retry for a failed one.
 */
export default function DeliveriesPage() {
  const { t } = useTranslation();
  const destinations = useDestinations();
  const list = useKeysetList<Delivery, (typeof DELIVERY_FILTERS)[number]>({
    queryKey: keys.deliveries,
    path: '/api/deliveries',
    filters: DELIVERY_FILTERS,
    pageSize: 50,
    pollMs: DELIVERY_POLL_MS,
  });
  const destinationName = useCallback(
    (id: string) => destinations.data?.find((d) => d.id === id)?.name ?? id,
    [destinations.data],
  );
  return (
    <KeysetListPage
      list={list}
      title={t('deliveries.title')}
      filters={
        <>
          <SelectFilter
            list={list}
            name="destinationId"
            label={t('deliveries.cols.destination')}
            options={destinations.data?.map((d) => [d.id, d.name] as const) ?? []}
          />
          <SelectFilter
            list={list}
            name="status"
            label={t('logs.cols.status')}
            options={DELIVERY_STATUSES.map((s) => [s, t(`deliveries.status.${s}`)] as const)}
            testId="delivery-status-filter"
          />
          <TextFilter list={list} name="clickId" label={t('logs.cols.clickId')} />
        </>
      }
      live={t('deliveries.live', { seconds: DELIVERY_POLL_MS / 1000 })}
      empty={
        list.filtered ? (
          t('deliveries.emptyFiltered')
        ) : (
          <>
            {t('deliveries.empty')} <Link to="/destinations">{t('nav.destinations')}</Link>
          </>
        )
      }
      drawer={(id, close) => (
        <DeliveryDrawer id={id} destinationName={destinationName} onClose={close} />
      )}
    >
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
            {list.items.map((d) => (
              <tr
                key={d.id}
                data-testid="delivery-row"
                data-status={d.status}
                data-stage={d.stage}
                className={d.id === list.open ? 'selected' : undefined}
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
                    onClick={() => list.openItem(d.id)}
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
    </KeysetListPage>
  );
}
