import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, ApiError } from '../../api/client';
import { useDestinations, useIntegrations, useRegistrationLinks } from '../../api/queries';
import type { Integration, Page, PostbackCheck, PostbackLogItem } from '../../api/types';
import { Explanation } from '../../shared/explain';
import { Time } from '../../shared/time';
import {
  CopyField,
  Empty,
  ErrorState,
  fieldError,
  FieldMessage,
  FormError,
  Loading,
  StatusChip,
  TableWrap,
} from '../../shared/ui';
import { LongText } from '../../shared/long-text';

const POLL_MS = 2000;

/** The live checklist of one test click: each configured event and what arrived for it. */
function Checklist({ integration, clickId }: { integration: Integration; clickId: string }) {
  const { t } = useTranslation();
  const logs = useQuery({
    queryKey: ['postback-logs', { clickId }],
    queryFn: () =>
      api<Page<PostbackLogItem>>(
        'GET',
        `/api/postback-logs?clickId=${encodeURIComponent(clickId)}&limit=100`,
      ),
    refetchInterval: POLL_MS,
  });
  const items = logs.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="checklist-title">
      <h2 id="checklist-title">{t('test.checklist')}</h2>
      {logs.error ? <ErrorState error={logs.error} /> : null}
      <ul className="checklist">
        {integration.events.map((event) => {
          const mine = items.filter((item) => item.event === event.name);
          const best = mine.find((item) => item.status === 'attributed') ?? mine[0];
          return (
            <li
              key={event.name}
              data-testid={`check-${event.name}`}
              data-state={best?.status ?? 'waiting'}
              className={`step step-${best?.status ?? 'waiting'}`}
            >
              <code>{event.name}</code>{' '}
              {best ? (
                <>
                  <StatusChip status={best.status} /> <Time value={best.receivedAt} />{' '}
                  <Link to={`/logs?open=${best.id}`}>{t('logs.details')}</Link>
                  {best.status !== 'attributed' ? <Explanation item={best} /> : null}
                </>
              ) : (
                t('start.waiting', { event: event.name })
              )}
            </li>
          );
        })}
      </ul>
      {items.filter((item) => !integration.events.some((e) => e.name === item.event)).length > 0 ? (
        <p className="muted">{t('test.otherEvents')}</p>
      ) : null}
    </section>
  );
}

/** Paste a partner URL: the verdict it would get now, parameter by parameter; nothing recorded. */
function PostbackChecker({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState('');
  const [body, setBody] = useState('');
  const check = useMutation({
    mutationFn: () =>
      api<PostbackCheck>('POST', `/api/integrations/${integration.id}/postback-check`, {
        body: {
          url: url.trim(),
          ...(body.trim()
            ? {
                method: 'POST',
                body,
                contentType: body.trim().startsWith('{')
                  ? 'application/json'
                  : 'application/x-www-form-urlencoded',
              }
            : {}),
        },
      }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    check.mutate();
  };
  const unavailable =
    check.error instanceof ApiError && check.error.status === 404 && !check.error.field;
  return (
    <section className="panel" aria-labelledby="checker-title">
      <h2 id="checker-title">{t('test.checker.title')}</h2>
      <p className="muted">{t('test.checker.intro')}</p>
      <form onSubmit={submit} className="grid-form">
        <label htmlFor="check-url">{t('test.checker.url')}</label>
        <input
          id="check-url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          required
          aria-describedby="check-url-error"
        />
        <FieldMessage
          id="check-url-error"
          message={fieldError(check.error, 'url')}
          label={t('test.checker.url')}
        />
        <label htmlFor="check-body">{t('test.checker.body')}</label>
        <textarea id="check-body" value={body} onChange={(e) => setBody(e.target.value)} rows={3} />
        <button type="submit" disabled={check.isPending}>
          {t('test.checker.submit')}
        </button>
      </form>
      {unavailable ? (
        <p className="alert warn">{t('test.checker.unavailable')}</p>
      ) : (
        <FormError error={check.error} fields={['url']} />
      )}
      {check.data ? (
        <div data-testid="check-result">
          <p>
            <StatusChip status={check.data.status} />
          </p>
          <Explanation item={check.data} />
          <TableWrap label={t('test.checker.title')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('logs.drawer.param')}</th>
                  <th scope="col">{t('logs.drawer.value')}</th>
                  <th scope="col">{t('logs.drawer.usedAs')}</th>
                </tr>
              </thead>
              <tbody>
                {check.data.params.map((param) => (
                  <tr key={param.name}>
                    <td>
                      <code>
                        <LongText value={param.name} />
                      </code>
                    </td>
                    <td>
                      <code>
                        <LongText value={param.value} />
                      </code>
                    </td>
                    <td>
                      {param.usedAs
                        ? t(
                            `usedAs.${param.usedAs.startsWith('field:') ? 'field' : param.usedAs}`,
                            {
                              key: param.usedAs.slice(6),
                              defaultValue: param.usedAs,
                            },
                          )
                        : t('usedAs.none')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </div>
      ) : null}
    </section>
  );
}

/**
 * A test click's conversions go to every enabled destination of its integration like any other
 * (SPEC section 4 knows no test conversions): say which, so a test deposit does not surprise an
 * ad platform's optimisation or a team chat.
 */
function LiveDestinationsNotice({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const destinations = useDestinations();
  const live = (destinations.data ?? []).filter(
    (d) => d.enabled && (d.integrationId === null || d.integrationId === integration.id),
  );
  if (live.length === 0) return null;
  return (
    <p className="alert warn" role="note" data-testid="live-destinations">
      {t('test.click.liveDestinations', { names: live.map((d) => `“${d.name}”`).join(', ') })}{' '}
      <Link to="/destinations">{t('nav.destinations')}</Link>
    </p>
  );
}

function TestClick({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const links = useRegistrationLinks(integration.id);
  const clickId = search.get('clickId');
  const [url, setUrl] = useState<string | null>(null);
  const linkId = search.get('linkId') ?? links.data?.[0]?.id ?? '';
  const mint = useMutation({
    mutationFn: () =>
      api<{ clickId: string; url?: string }>('POST', '/api/clicks', {
        body: linkId
          ? { linkId, campaign: 'test' }
          : { integrationId: integration.id, campaign: 'test' },
      }),
    onSuccess: (click) => {
      setUrl(click.url ?? null);
      const next = new URLSearchParams(search);
      next.set('clickId', click.clickId);
      setSearch(next);
    },
  });
  if (links.isPending) return <Loading />;
  return (
    <section className="panel" aria-labelledby="test-click-title">
      <h2 id="test-click-title">{t('test.click.title')}</h2>
      <p className="muted">{t('test.click.intro')}</p>
      <LiveDestinationsNotice integration={integration} />
      {links.error ? <ErrorState error={links.error} /> : null}
      {links.data?.length === 0 ? (
        <p className="alert warn">
          {t('test.click.noLinks')}{' '}
          <Link to={`/integrations/${integration.id}`}>{integration.name}</Link>
        </p>
      ) : (
        <label>
          {t('test.click.link')}
          <select
            value={linkId}
            onChange={(e) => {
              const next = new URLSearchParams(search);
              next.set('linkId', e.target.value);
              setSearch(next, { replace: true });
            }}
          >
            {links.data?.map((link) => (
              <option key={link.id} value={link.id}>
                {link.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" onClick={() => mint.mutate()} disabled={mint.isPending}>
        {t('test.click.mint')}
      </button>
      <FormError error={mint.error} fields={[]} />
      {clickId ? (
        <div className="test-click">
          <p>{t('test.click.clickId')}</p>
          <CopyField value={clickId} label={t('test.click.clickId')} testId="test-click-id" />
          {url ? (
            <>
              <p>{t('test.click.url')}</p>
              <CopyField value={url} label={t('test.click.url')} testId="test-click-url" />
            </>
          ) : null}
          <p className="hint">{t('test.click.next')}</p>
        </div>
      ) : null}
      {clickId ? <Checklist integration={integration} clickId={clickId} /> : null}
    </section>
  );
}

/** Make a test registration bound to one fresh click and watch its postbacks arrive. */
export default function TestRegistrationPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const integrations = useIntegrations();
  if (integrations.isPending) return <Loading />;
  if (integrations.error) return <ErrorState error={integrations.error} />;
  const list = integrations.data;
  const wanted = search.get('integrationId');
  const integration = list.find((i) => i.id === wanted) ?? (wanted ? undefined : list[0]);
  return (
    <section>
      <h1>{t('test.title')}</h1>
      {list.length === 0 ? (
        <Empty>
          {t('links.noIntegrations')} <Link to="/integrations">{t('nav.integrations')}</Link>
        </Empty>
      ) : (
        <label>
          {t('common.integration')}
          <select
            value={integration?.id ?? ''}
            onChange={(e) => setSearch({ integrationId: e.target.value })}
          >
            {!integration ? <option value="">—</option> : null}
            {list.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {wanted && !integration ? <ErrorState error={new ApiError(404, 'Not found', null)} /> : null}
      {integration ? (
        <>
          <TestClick key={integration.id} integration={integration} />
          <PostbackChecker key={`check-${integration.id}`} integration={integration} />
        </>
      ) : null}
    </section>
  );
}
