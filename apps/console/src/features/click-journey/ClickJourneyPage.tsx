import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import type { ClickJourney, Page, PostbackLogItem } from '../../api/types';
import { Explanation } from '../../shared/explain';
import { Time } from '../../shared/time';
import { Amounts, ErrorState, Loading, StatusChip, TableWrap } from '../../shared/ui';
import { LongText } from '../../shared/long-text';

function Journey({ clickId }: { clickId: string }) {
  const { t } = useTranslation();
  const click = useQuery({
    queryKey: ['clicks', clickId],
    queryFn: () => api<ClickJourney>('GET', `/api/clicks/${encodeURIComponent(clickId)}`),
    refetchInterval: 5000,
  });
  const logs = useQuery({
    queryKey: ['postback-logs', { clickId }],
    queryFn: () =>
      api<Page<PostbackLogItem>>(
        'GET',
        `/api/postback-logs?clickId=${encodeURIComponent(clickId)}&limit=100`,
      ),
    refetchInterval: 5000,
    enabled: click.isSuccess,
  });
  if (click.isPending) return <Loading />;
  if (click.error) return <ErrorState error={click.error} />;
  const data = click.data;
  return (
    <>
      <dl className="facts">
        <dt>{t('logs.cols.clickId')}</dt>
        <dd className="mono">
          <LongText value={data.clickId} />
        </dd>
        <dt>{t('clicks.createdAt')}</dt>
        <dd>
          <Time value={data.createdAt} />
        </dd>
        <dt>{t('funnel.campaign')}</dt>
        <dd>
          <LongText value={data.campaign ?? '—'} />
        </dd>
        <dt>{t('conversions.source')}</dt>
        <dd>
          <LongText value={data.source ?? '—'} />
        </dd>
        <dt>{t('clicks.subscriber')}</dt>
        <dd>
          <LongText value={data.subscriberId ?? '—'} />
        </dd>
        <dt>{t('clicks.stage')}</dt>
        <dd>{data.stage ? t(`stage.${data.stage}`, { defaultValue: data.stage }) : '—'}</dd>
        <dt>{t('clicks.deposits')}</dt>
        <dd>
          {data.totals.deposits} · <Amounts amounts={data.totals.depositAmount} />
        </dd>
        {data.totals.reversals ? (
          <>
            <dt>{t('clicks.reversals')}</dt>
            <dd data-testid="click-reversals">
              {data.totals.reversals} · <Amounts amounts={data.totals.reversedAmount} />
            </dd>
            <dt>{t('clicks.net')}</dt>
            <dd data-testid="click-net">
              <Amounts amounts={data.totals.netDepositAmount} />
            </dd>
          </>
        ) : null}
      </dl>
      <h2>{t('clicks.params')}</h2>
      <TableWrap label={t('clicks.params')}>
        <table className="params">
          <tbody>
            {Object.entries({
              ...data.params,
              ...Object.fromEntries(
                Object.entries(data.fields).map(([k, v]) => [`fields.${k}`, v]),
              ),
            }).map(([name, value]) => (
              <tr key={name}>
                <th scope="row">
                  <code>
                    <LongText value={name} />
                  </code>
                </th>
                <td>
                  <code>
                    <LongText value={Array.isArray(value) ? value.join(', ') : value} />
                  </code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h2>{t('clicks.timeline')}</h2>
      {logs.error ? <ErrorState error={logs.error} /> : null}
      <ol className="timeline" data-testid="timeline">
        <li>
          <Time value={data.createdAt} /> — {t('clicks.clicked')}
        </li>
        {[...(logs.data?.items ?? [])].reverse().map((item) => (
          <li key={item.id}>
            <Time value={item.receivedAt} /> —{' '}
            <code>
              <LongText value={item.event ?? '—'} />
            </code>{' '}
            <StatusChip status={item.status} />
            {item.conversion?.amount
              ? ` ${item.conversion.amount} ${item.conversion.currency ?? ''}`
              : ''}{' '}
            <Link to={`/logs?open=${item.id}`}>{t('logs.details')}</Link>
            <div className="params-line">
              {Object.entries(item.params).map(([name, value]) => (
                <code key={name}>
                  <LongText
                    value={`${name}=${typeof value === 'string' ? value : JSON.stringify(value)}`}
                  />
                </code>
              ))}
            </div>
            {item.userAgent ? (
              <p className="muted">
                <LongText value={item.userAgent} />
              </p>
            ) : null}
            {item.errorCode ? <Explanation item={item} /> : null}
          </li>
        ))}
      </ol>
    </>
  );
}

/** One click's story: where it came from, its parameters and every postback for it. */
export default function ClickJourneyPage() {
  const { t } = useTranslation();
  const { clickId } = useParams();
  const navigate = useNavigate();
  const [value, setValue] = useState(clickId ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (value.trim()) navigate(`/clicks/${encodeURIComponent(value.trim())}`);
  };
  return (
    <section>
      <h1>{t('clicks.title')}</h1>
      <form onSubmit={submit} className="inline" role="search">
        <label htmlFor="click-search">{t('logs.cols.clickId')}</label>
        <input id="click-search" value={value} onChange={(e) => setValue(e.target.value)} />
        <button type="submit">{t('clicks.open')}</button>
      </form>
      {clickId ? (
        <Journey key={clickId} clickId={clickId} />
      ) : (
        <p className="muted">
          {t('clicks.hint')} <Link to="/logs">{t('nav.logs')}</Link>
        </p>
      )}
    </section>
  );
}
