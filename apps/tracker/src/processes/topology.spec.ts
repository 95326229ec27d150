import { controllerRoutes } from '../../../../test/support/controller-routes';
import { routeOf, WORKER_APPS } from './topology';

describe('the tracker gateway routes', () => {
  it('given a route of an app process, when routed, then it reaches that app', () => {
    const routes = controllerRoutes(WORKER_APPS);
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      expect({ ...route, routedTo: routeOf(route.path) }).toEqual({
        ...route,
        routedTo: route.app,
      });
    }
  });

  it('given a route of the ingress, when routed, then the edge serves it', () => {
    for (const route of controllerRoutes(['ingress'])) {
      expect({ ...route, routedTo: routeOf(route.path) }).toEqual({ ...route, routedTo: null });
    }
  });

  it('given a query string or a longer path, when routed, then whole segments decide', () => {
    expect(routeOf('/api/funnel?groupBy=day')).toBe('attribution');
    expect(routeOf('/api/funnelx')).toBeNull();
    expect(routeOf('/api/clicks')).toBeNull();
    expect(routeOf('/api/clicks/abc')).toBe('attribution');
    expect(routeOf('/api/account')).toBe('registry');
    expect(routeOf('/api/accounts/1')).toBe('registry');
    expect(routeOf('/')).toBeNull();
    expect(routeOf('/api/integrations/abc/postback-check')).toBe('attribution');
    expect(routeOf('/api/integrations/abc/events')).toBe('registry');
    expect(routeOf('/api/integrations//postback-check')).toBe('registry');
  });
});
