import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { useIntegrations } from '../../api/queries';
import type { Integration, Page, PostbackLogItem } from '../../api/types';
import { Time } from '../../shared/time';
import { Empty, ErrorState, Loading } from '../../shared/ui';
import { LongText } from '../../shared/long-text';
import { startFix } from './fixes';

const POLL_MS = 2000;

type Step = { state: 'waiting' } | { state: 'received' | 'attributed' | 'failing'; at: string };

/** Where an event stands: no postback yet, received (not yet attributed), attributed. */
export function stepOf(integration: Integration, eventName: string, logs: PostbackLogItem[]): Step {
  const mine = logs.filter(
    (item) => item.integrationId === integration.id && item.event === eventName,
  );
  const attributed = mine.find((item) => item.status === 'attributed');
  if (attributed) return { state: 'attributed', at: attributed.receivedAt };
  const event = integration.events.find((e) => e.name === eventName);
  const last = mine[0];
  if (last && last.errorCode && last.status !== 'duplicate')
    return { state: 'failing', at: last.receivedAt };
  if (last) return { state: 'received', at: last.receivedAt };
  if (event && event.receivedCount > 0 && event.lastReceivedAt)
    return { state: 'received', at: event.lastReceivedAt };
  return { state: 'waiting' };
}

/** A failed postback on the start page: what went wrong, and which button on which page fixes it. */
function StartFixText({ item }: { item: PostbackLogItem }) {
  const { t } = useTranslation();
  const fix = startFix(item, t);
  return (
    <div className="explanation" data-testid="start-fix" data-page={fix.page}>
      <h3 data-testid="fix-problem">{fix.problem}</h3>
      <p>
        <strong>{t('start.whatToFix')}:</strong> <span data-testid="fix-step">{fix.step}</span>
      </p>
      <p>
        <Link to={fix.to} data-testid="fix-link">
          {fix.linkText}
        </Link>
        {fix.page !== 'log' ? (
          <>
            {' '}
            · <Link to={`/logs?open=${item.id}`}>{t('logs.details')}</Link>
          </>
        ) : null}
      </p>
    </div>
  );
}

/** The setup checklist: per integration and event, waiting → received → attributed, live. */
export default function StartPage() {
  const { t } = useTranslation();
  const integrations = useIntegrations(POLL_MS);
  const logs = useQuery({
    queryKey: ['postback-logs', 'start'],
    queryFn: () => api<Page<PostbackLogItem>>('GET', '/api/postback-logs?limit=500'),
    refetchInterval: POLL_MS,
  });
  if (integrations.isPending) return <Loading />;
  if (integrations.error) return <ErrorState error={integrations.error} />;
  const recent = logs.data?.items ?? [];
  const errors = recent.filter((item) => item.errorCode && item.status !== 'duplicate').slice(0, 5);
  return (
    <section>
      <h1>{t('start.title')}</h1>
      {integrations.data.length === 0 ? (
        <Empty>
          <p>{t('start.empty')}</p>
          <Link to="/integrations">{t('start.connect')}</Link>
        </Empty>
      ) : null}
      {logs.error ? <ErrorState error={logs.error} /> : null}
      {integrations.data.map((integration) => (
        <section key={integration.id} className="panel">
          <h2>
            <Link to={`/integrations/${integration.id}`}>{integration.name}</Link>
          </h2>
          {integration.events.length === 0 ? (
            <p className="empty">{t('integration.events.none')}</p>
          ) : null}
          <ul className="checklist">
            {integration.events.map((event) => {
              const step = stepOf(integration, event.name, recent);
              return (
                <li
                  key={event.name}
                  className={`step step-${step.state}`}
                  data-testid={`step-${integration.id}-${event.name}`}
                  data-state={step.state}
                >
                  <code>{event.name}</code>{' '}
                  {step.state === 'waiting' ? t('start.waiting', { event: event.name }) : null}
                  {step.state === 'received' ? (
                    <>
                      {t('start.received')} <Time value={step.at} />
                    </>
                  ) : null}
                  {step.state === 'attributed' ? (
                    <>
                      {t('start.attributed')} <Time value={step.at} />
                    </>
                  ) : null}
                  {step.state === 'failing' ? (
                    <>
                      {t('start.failing')} <Time value={step.at} />
                    </>
                  ) : null}
                </li>
              );
            })}
          </ul>
        </section>
      ))}
      <h2>{t('start.lastErrors')}</h2>
      {errors.length === 0 ? <p className="muted">{t('start.noErrors')}</p> : null}
      <ul className="cards">
        {errors.map((item) => (
          <li key={item.id} className="card">
            <p>
              <Time value={item.receivedAt} /> ·{' '}
              <LongText value={item.integrationName ?? '—'} expandable={false} /> ·{' '}
              <code>
                <LongText value={item.event ?? '—'} expandable={false} />
              </code>
            </p>
            <StartFixText item={item} />
          </li>
        ))}
      </ul>
    </section>
  );
}
