import { useTranslation } from 'react-i18next';
import type { DestinationTestResult as Result } from '../../api/types';

/**
 * What a test send did: the request as sent (secrets masked) and the remote server's answer or
 * the error. Everything the remote server sent is shown as text, never markup or a live link.
 */
export function DestinationTestResult({ name, result }: { name: string; result: Result }) {
  const { t } = useTranslation();
  const { request, response } = result;
  const headers = Object.entries(request.headers)
    .map(([header, value]) => `${header}: ${value}`)
    .join('\n');
  const ok = response.status !== null && response.status >= 200 && response.status < 300;
  return (
    <section
      className="panel"
      aria-labelledby="test-result-title"
      data-testid="test-result"
      data-ok={ok}
    >
      <h2 id="test-result-title">{t('destinations.test.title', { name })}</h2>
      <h3>{t('destinations.test.request')}</h3>
      <pre className="raw" data-testid="test-request">
        {`${request.method} ${request.url}`}
        {headers ? `\n${headers}` : ''}
        {request.body !== null ? `\n\n${request.body}` : ''}
      </pre>
      <h3>{t('destinations.test.response')}</h3>
      <dl className="facts">
        <dt>{t('destinations.test.status')}</dt>
        <dd data-testid="test-status">
          <span className={`chip chip-${ok ? 'delivered' : 'failed'}`}>
            {response.status ?? t('destinations.test.noAnswer')}
          </span>
        </dd>
        <dt>{t('destinations.test.duration')}</dt>
        <dd>{t('destinations.test.ms', { ms: response.durationMs })}</dd>
        {response.error ? (
          <>
            <dt>{t('destinations.test.error')}</dt>
            <dd data-testid="test-error">{response.error}</dd>
          </>
        ) : null}
      </dl>
      {response.body !== null && response.body !== '' ? (
        <pre className="raw" data-testid="test-response-body">
          {response.body}
        </pre>
      ) : null}
    </section>
  );
}
