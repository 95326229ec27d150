import { useTranslation } from 'react-i18next';
import { localOnlyHost } from './reachable';

/**
 * A warning above addresses the tracker hands out (postback URLs, tracking links) when they
 * point at this computer only: `PUBLIC_BASE_URL` is unset or local (SPEC section 6).
 * `kind` says who cannot reach them: the partner's server, or a visitor's browser.
 */
export function LocalOnlyNotice({
  url,
  kind,
}: {
  url: string | undefined;
  kind: 'postback' | 'link';
}) {
  const { t } = useTranslation();
  const host = url ? localOnlyHost(url) : null;
  if (!host) return null;
  return (
    <p className="alert warn" role="note" data-testid="local-only-notice">
      {t(kind === 'postback' ? 'localOnly.postback' : 'localOnly.link', { host })}{' '}
      {t('localOnly.fix', { variable: 'PUBLIC_BASE_URL' })}
    </p>
  );
}
