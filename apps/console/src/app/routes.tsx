import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter } from 'react-router';
import { Loading } from '../shared/ui';
import { Layout, RequireKey, RouteError } from './Layout';

/** Each page is its own chunk: the first load carries the shell and the page asked for only. */
function page(load: () => Promise<{ default: ComponentType }>) {
  const Page = lazy(load);
  return (
    <Suspense fallback={<Loading />}>
      <Page />
    </Suspense>
  );
}

/** One route per page (SPEC section 4, Console); the tracker serves index.html for each. */
export const CONSOLE_PATHS = [
  '/',
  '/sign-in',
  '/admin',
  '/integrations',
  '/integrations/:id',
  '/links',
  '/test-registration',
  '/logs',
  '/conversions',
  '/destinations',
  '/deliveries',
  '/funnel',
  '/clicks',
  '/clicks/:clickId',
  '/settings',
];

export const router = createBrowserRouter([
  {
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { path: '/sign-in', element: page(() => import('../features/sign-in/SignInPage')) },
      { path: '/admin', element: page(() => import('../features/admin/AdminPage')) },
      {
        element: <RequireKey />,
        children: [
          { path: '/', element: page(() => import('../features/start/StartPage')) },
          {
            path: '/integrations',
            element: page(() => import('../features/integrations/CataloguePage')),
          },
          {
            path: '/integrations/:id',
            element: page(() => import('../features/integrations/IntegrationPage')),
          },
          {
            path: '/links',
            element: page(() => import('../features/registration-links/RegistrationLinksPage')),
          },
          {
            path: '/test-registration',
            element: page(() => import('../features/test-registration/TestRegistrationPage')),
          },
          {
            path: '/logs',
            element: page(() => import('../features/postback-logs/PostbackLogsPage')),
          },
          {
            path: '/conversions',
            element: page(() => import('../features/conversions/ConversionsPage')),
          },
          {
            path: '/destinations',
            element: page(() => import('../features/destinations/DestinationsPage')),
          },
          {
            path: '/deliveries',
            element: page(() => import('../features/deliveries/DeliveriesPage')),
          },
          { path: '/funnel', element: page(() => import('../features/funnel/FunnelPage')) },
          {
            path: '/clicks',
            element: page(() => import('../features/click-journey/ClickJourneyPage')),
          },
          {
            path: '/clicks/:clickId',
            element: page(() => import('../features/click-journey/ClickJourneyPage')),
          },
          { path: '/settings', element: page(() => import('../features/settings/SettingsPage')) },
        ],
      },
      { path: '*', element: page(() => import('./NotFoundPage')) },
    ],
  },
]);
