import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError } from '../../api/client';
import { CONVERSION_STAGES } from '../../api/queries';
import type { Conversion } from '../../api/types';
import { KeysetListPage, SelectFilter, TextFilter, useKeysetList } from '../../shared/keyset-list';
import { IntegrationFilter } from '../../shared/integration-filter';
import { LongText } from '../../shared/long-text';
import { Time } from '../../shared/time';
import { ErrorState, TableWrap } from '../../shared/ui';

/** Filters kept in the URL (with the period). */
const FILTERS = ['integrationId', 'clickId', 'stage', 'campaign'] as const;

/** Attributed conversions, reversals included, newest first (`GET /api/conversions`). */
export default function ConversionsPage() {
  const { t } = useTranslation();
  const list = useKeysetList<Conversion, (typeof FILTERS)[number]>({
    queryKey: ['conversions'],
    path: '/api/conversions',
    filters: FILTERS,
    pageSize: 100,
    pollMs: 5000,
  });
  return (
    <KeysetListPage
      list={list}
      title={t('conversions.title')}
      filters={
        <>
          <IntegrationFilter list={list} name="integrationId" />
          <SelectFilter
            list={list}
            name="stage"
            label={t('conversions.stage')}
            options={CONVERSION_STAGES.map(
              (s) => [s, t(`stage.${s}`, { defaultValue: s })] as const,
            )}
          />
          <TextFilter list={list} name="clickId" label={t('logs.cols.clickId')} />
          <TextFilter list={list} name="campaign" label={t('funnel.campaign')} />
        </>
      }
      empty={t('conversions.empty')}
      // A tracker that does not list conversions answers 404: a notice, not an error.
      errorView={(error) =>
        error instanceof ApiError && error.status === 404 ? (
          <p className="alert warn">{t('conversions.unavailable')}</p>
        ) : (
          <ErrorState error={error} />
        )
      }
    >
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
            {list.items.map((c) => (
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
    </KeysetListPage>
  );
}
