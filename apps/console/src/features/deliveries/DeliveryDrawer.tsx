import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { keys } from '../../api/queries';
import type { Delivery, DeliveryDetail } from '../../api/types';
import { Time } from '../../shared/time';
import { DetailDrawer } from '../../shared/detail-drawer';
import { ErrorState } from '../../shared/ui';
import { DeliveryStatusChip } from './DeliveryStatusChip';

/**
 * One delivery in full (`GET /api/deliveries/:id`): every attempt's request, response status and
 * body, error and duration; Retry when it failed; links to its click journey and conversion.
 * What the remote server answered is shown as text only.
 */
export function DeliveryDrawer({
  id,
  destinationName,
  onClose,
}: {
  id: string;
  destinationName: (id: string) => string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const delivery = useQuery({
    queryKey: [...keys.deliveries, 'item', id],
    queryFn: () => api<DeliveryDetail>('GET', `/api/deliveries/${encodeURIComponent(id)}`),
    // Pending and retrying ones change by themselves: keep asking until the outcome is final.
    refetchInterval: (query) =>
      query.state.data?.status === 'delivered' || query.state.data?.status === 'failed'
        ? false
        : 2000,
  });
  const retry = useMutation({
    mutationFn: () => api<Delivery>('POST', `/api/deliveries/${encodeURIComponent(id)}/retry`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.deliveries }),
  });
  const data = delivery.data;
  return (
    <DetailDrawer
      title={t('deliveries.drawer.title')}
      titleId="delivery-drawer-title"
      testId="delivery-drawer"
      item={delivery}
      onClose={onClose}
    >
      {data ? (
        <div className="drawer-body">
          <p>
            <DeliveryStatusChip status={data.status} />{' '}
            {data.status === 'failed' ? (
              <button type="button" onClick={() => retry.mutate()} disabled={retry.isPending}>
                {t('deliveries.retry')}
              </button>
            ) : null}
          </p>
          {data.status === 'failed' && data.attempts > 0 ? (
            <p className="hint">{t('deliveries.sameRequest')}</p>
          ) : null}
          {retry.isSuccess ? <p role="status">{t('deliveries.retried')}</p> : null}
          {retry.error ? <ErrorState error={retry.error} /> : null}
          <dl className="facts">
            <dt>{t('deliveries.cols.destination')}</dt>
            <dd>{destinationName(data.destinationId)}</dd>
            <dt>{t('conversions.stage')}</dt>
            <dd>{t(`stage.${data.stage}`, { defaultValue: data.stage })}</dd>
            <dt>{t('logs.cols.clickId')}</dt>
            <dd>
              <Link to={`/clicks/${encodeURIComponent(data.clickId)}`}>{data.clickId}</Link>
            </dd>
            <dt>{t('deliveries.drawer.conversion')}</dt>
            <dd>
              <Link to={`/conversions?clickId=${encodeURIComponent(data.clickId)}`}>
                <span className="mono">{data.conversionId}</span>
              </Link>
            </dd>
            <dt>{t('deliveries.drawer.key')}</dt>
            <dd className="mono">{data.id}</dd>
            <dt>{t('deliveries.cols.created')}</dt>
            <dd>
              <Time value={data.createdAt} />
            </dd>
            <dt>{t('deliveries.drawer.next')}</dt>
            <dd>
              <Time value={data.nextAttemptAt} />
            </dd>
          </dl>
          <h3>{t('deliveries.drawer.attempts')}</h3>
          {data.history.length === 0 ? (
            <p className="empty">{t('deliveries.drawer.noAttempts')}</p>
          ) : null}
          <ol className="attempts">
            {data.history.map((attempt) => (
              <li key={attempt.attempt} data-testid="attempt" data-outcome={attempt.outcome}>
                <h4>
                  {t('deliveries.drawer.attempt', { n: attempt.attempt })} ·{' '}
                  <Time value={attempt.attemptedAt} /> ·{' '}
                  <DeliveryStatusChip status={attempt.outcome} />
                </h4>
                <pre className="raw" data-testid="attempt-request">
                  {`${attempt.request.method} ${attempt.request.url}`}
                  {attempt.request.bodySize > 0
                    ? `\n${t('deliveries.drawer.bodySize', { bytes: attempt.request.bodySize })}`
                    : ''}
                </pre>
                <dl className="facts">
                  <dt>{t('deliveries.cols.response')}</dt>
                  <dd data-testid="attempt-status">{attempt.responseStatus ?? '—'}</dd>
                  <dt>{t('destinations.test.duration')}</dt>
                  <dd>{t('destinations.test.ms', { ms: attempt.durationMs })}</dd>
                  {attempt.error ? (
                    <>
                      <dt>{t('destinations.test.error')}</dt>
                      <dd data-testid="attempt-error">{attempt.error}</dd>
                    </>
                  ) : null}
                </dl>
                {attempt.responseBody ? (
                  <pre className="raw" data-testid="attempt-body">
                    {attempt.responseBody}
                  </pre>
                ) : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </DetailDrawer>
  );
}
