/**
 * How the tracker splits across processes when it uses every core (SPEC sections 2 and 6): the
 * public port belongs to the edge process (the ingress, so a partner's postback never waits
 * behind a projection), which forwards the other API paths to one process per app.
 */
export const WORKER_APPS = ['registry', 'postback-log', 'attribution', 'dispatcher'] as const;
export type WorkerApp = (typeof WORKER_APPS)[number];

export interface GatewayRoute {
  /**
   * A path prefix matched whole segment by segment (`/api/funnel` matches `/api/funnel/x` and
   * `/api/funnel?…`, not `/api/funnelx`; a trailing `/` requires more), or with `exact`, one
   * path whose `:name` segments match any one segment.
   */
  prefix: string;
  exact?: boolean;
  app: WorkerApp;
}

/**
 * Paths the edge forwards; everything else (the postback endpoint, `/r/`, `POST /api/clicks`,
 * health, metrics, docs, the console) the edge serves itself. `deploy/nginx.conf` routes the same
 * paths to the same apps (checked by test/deploy-manifests.spec.ts and the topology spec).
 */
export const GATEWAY_ROUTES: readonly GatewayRoute[] = [
  { prefix: '/api/accounts', app: 'registry' },
  { prefix: '/api/account', app: 'registry' },
  { prefix: '/api/api-keys', app: 'registry' },
  { prefix: '/api/integrations', app: 'registry' },
  { prefix: '/api/integration-templates', app: 'registry' },
  { prefix: '/api/destinations', app: 'registry' },
  { prefix: '/api/destination-templates', app: 'registry' },
  { prefix: '/api/deliveries', app: 'dispatcher' },
  { prefix: '/api/postback-logs', app: 'postback-log' },
  { prefix: '/api/clicks/', app: 'attribution' },
  { prefix: '/api/funnel', app: 'attribution' },
  { prefix: '/api/conversions', app: 'attribution' },
  // The dry run judges against attribution's clicks (SPEC section 4, postback-check).
  { prefix: '/api/integrations/:id/postback-check', exact: true, app: 'attribution' },
];

function matches(route: GatewayRoute, pathname: string): boolean {
  if (route.exact) {
    const want = route.prefix.split('/');
    const got = pathname.replace(/\/$/, '').split('/');
    return (
      want.length === got.length &&
      want.every((segment, i) => (segment.startsWith(':') ? got[i] !== '' : segment === got[i]))
    );
  }
  return route.prefix.endsWith('/')
    ? pathname.startsWith(route.prefix)
    : pathname === route.prefix || pathname.startsWith(`${route.prefix}/`);
}

/** The app a request path goes to, or null when the edge serves it (exact, then longest prefix). */
export function routeOf(path: string): WorkerApp | null {
  const pathname = path.split('?')[0];
  let best: GatewayRoute | null = null;
  for (const route of GATEWAY_ROUTES) {
    if (!matches(route, pathname)) continue;
    if (route.exact) return route.app;
    if (!best || route.prefix.length > best.prefix.length) best = route;
  }
  return best?.app ?? null;
}
