import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { PostbackLogItem } from '../../api/types';
import { Explanation } from '../../shared/explain';
import { formatDelay, Time } from '../../shared/time';
import { DetailDrawer } from '../../shared/detail-drawer';
import { CopyButton, StatusChip, TableWrap } from '../../shared/ui';
import { usePreferences } from '../../shared/preferences';
import { toCurl } from './curl';
import { LongText } from '../../shared/long-text';

/** A body as the partner sent it: text as is, a parsed object as indented JSON, both as text. */
function bodyText(body: unknown): string | null {
  if (body === undefined || body === null || body === '') return null;
  return typeof body === 'string' ? body : JSON.stringify(body, null, 2);
}

function paramText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One postback in full: raw URL, parameters and what each was used for, body, conversion, fix. */
export function PostbackDrawer({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { language } = usePreferences();
  const item = useQuery({
    queryKey: ['postback-logs', 'item', id],
    queryFn: () => api<PostbackLogItem>('GET', `/api/postback-logs/${encodeURIComponent(id)}`),
    // A postback still being processed changes soon: keep asking until it is judged.
    refetchInterval: (query) => (query.state.data?.status === 'received' ? 1000 : false),
  });
  const data = item.data;
  const body = data ? bodyText(data.body) : null;
  return (
    <DetailDrawer
      title={t('logs.drawer.title')}
      titleId="drawer-title"
      testId="drawer"
      item={item}
      onClose={onClose}
    >
      {data ? (
        <div className="drawer-body">
          <p>
            <StatusChip status={data.status} /> <Time value={data.receivedAt} />
          </p>
          <Explanation item={data} />
          <h3>{t('logs.drawer.url')}</h3>
          <pre className="raw" data-testid="raw-url">
            {data.method} {data.url}
          </pre>
          <CopyButton text={toCurl(data, window.location.origin)} caption={t('logs.drawer.curl')} />
          <h3>{t('logs.drawer.params')}</h3>
          <TableWrap label={t('logs.drawer.params')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('logs.drawer.param')}</th>
                  <th scope="col">{t('logs.drawer.value')}</th>
                  <th scope="col">{t('logs.drawer.usedAs')}</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(data.params ?? {}).map(([name, value]) => {
                  const usedAs = data.paramsUsedAs?.[name] ?? null;
                  return (
                    <tr key={name}>
                      <td>
                        <code>
                          <LongText value={name} />
                        </code>
                      </td>
                      <td>
                        <code className="value">
                          <LongText value={paramText(value)} />
                        </code>
                      </td>
                      <td>
                        {usedAs
                          ? t(`usedAs.${usedAs.startsWith('field:') ? 'field' : usedAs}`, {
                              key: usedAs.slice(6),
                              defaultValue: usedAs,
                            })
                          : data.paramsUsedAs
                            ? t('usedAs.none')
                            : '—'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </TableWrap>
          {body !== null ? (
            <>
              <h3>
                {t('logs.drawer.body')}{' '}
                {data.contentType ? <span className="muted">({data.contentType})</span> : null}
              </h3>
              <pre className="raw" data-testid="raw-body">
                {body}
              </pre>
            </>
          ) : null}
          <dl className="facts">
            <dt>{t('logs.cols.integration')}</dt>
            <dd>{data.integrationName ?? data.integrationId}</dd>
            <dt>{t('logs.cols.event')}</dt>
            <dd>
              <LongText value={data.event ?? '—'} />
            </dd>
            <dt>{t('logs.cols.clickId')}</dt>
            <dd>
              {data.clickId ? (
                <Link to={`/clicks/${encodeURIComponent(data.clickId)}`}>
                  <LongText value={data.clickId} expandable={false} />
                </Link>
              ) : (
                '—'
              )}
            </dd>
            <dt>{t('logs.cols.ip')}</dt>
            <dd>{data.remoteAddress ?? '—'}</dd>
            <dt>{t('logs.drawer.userAgent')}</dt>
            <dd data-testid="user-agent">{data.userAgent ?? '—'}</dd>
            <dt>{t('logs.cols.delay')}</dt>
            <dd>{data.clickedAt ? formatDelay(data.clickedAt, data.receivedAt, language) : '—'}</dd>
            <dt>{t('logs.drawer.conversion')}</dt>
            <dd>
              {data.conversion
                ? `${t(`stage.${data.conversion.stage}`, { defaultValue: data.conversion.stage })}${data.conversion.ordinal ? ` #${data.conversion.ordinal}` : ''}${data.conversion.amount ? ` · ${data.conversion.amount} ${data.conversion.currency ?? ''}` : ''}`
                : '—'}
            </dd>
          </dl>
        </div>
      ) : null}
    </DetailDrawer>
  );
}
