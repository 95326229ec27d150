import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, useLocation, useNavigate, useRouteError } from 'react-router';
import { UNAUTHORIZED_EVENT } from '../api/client';
import { forgetApiKey, readApiKey } from '../api/session';
import { switchLanguage } from '../i18n';
import { usePreferences } from '../shared/preferences';

const NAV = [
  ['/', 'nav.start'],
  ['/integrations', 'nav.integrations'],
  ['/links', 'nav.links'],
  ['/test-registration', 'nav.testRegistration'],
  ['/logs', 'nav.logs'],
  ['/conversions', 'nav.conversions'],
  ['/destinations', 'nav.destinations'],
  ['/deliveries', 'nav.deliveries'],
  ['/funnel', 'nav.funnel'],
  ['/clicks', 'nav.clicks'],
  ['/settings', 'nav.settings'],
] as const;

function LanguageSwitch() {
  const { t } = useTranslation();
  const { language } = usePreferences();
  return (
    <label className="language">
      <span className="sr-only">{t('settings.language')}</span>
      <select
        value={language}
        onChange={(e) => switchLanguage(e.target.value as 'en' | 'ru')}
        data-testid="language"
      >
        <option value="en">English</option>
        <option value="ru">Русский</option>
      </select>
    </label>
  );
}

/** The frame of every page: navigation when signed in, the language switch always. */
export function Layout() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signedIn = readApiKey() !== null;
  usePreferences();
  useEffect(() => {
    const onUnauthorized = () => {
      queryClient.clear();
      navigate('/sign-in', { replace: true });
    };
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [navigate, queryClient]);
  const signOut = () => {
    forgetApiKey();
    queryClient.clear();
    navigate('/sign-in');
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <span className="brand">{t('app.title')}</span>
        <LanguageSwitch />
        {signedIn ? (
          <button type="button" className="link-button" onClick={signOut}>
            {t('nav.signOut')}
          </button>
        ) : null}
      </header>
      {signedIn ? (
        <nav className="side" aria-label={t('nav.label')}>
          <ul>
            {NAV.map(([to, key]) => (
              <li key={to}>
                <NavLink to={to} end={to === '/'}>
                  {t(key)}
                </NavLink>
              </li>
            ))}
          </ul>
          <a href="/docs" className="docs-link">
            {t('nav.docs')}
          </a>
        </nav>
      ) : null}
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** Pages behind the API key: without one, to sign-in (and back after). */
export function RequireKey() {
  const location = useLocation();
  if (!readApiKey()) {
    return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}

/** A render error never leaves a blank page. */
export function RouteError() {
  const error = useRouteError();
  const { t } = useTranslation();
  return (
    <main id="main" className="crash">
      <h1>{t('errors.crash')}</h1>
      <pre>{error instanceof Error ? error.message : String(error)}</pre>
      <a href="/">{t('nav.start')}</a>
    </main>
  );
}
