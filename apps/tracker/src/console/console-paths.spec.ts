import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONSOLE_CSP, CONSOLE_PATHS, isReservedPath, RESERVED_PREFIXES } from './console-paths';

describe('console paths', () => {
  it('serves exactly the routes the console app declares', () => {
    const routes = readFileSync(
      path.join(__dirname, '../../../console/src/app/routes.tsx'),
      'utf8',
    );
    const declared = [...routes.matchAll(/path: '(\/[^']*)'/g)].map((match) => match[1]);
    expect([...CONSOLE_PATHS].sort()).toEqual([...new Set(declared)].sort());
  });

  it('never shadows the API or operations paths', () => {
    for (const route of CONSOLE_PATHS as readonly string[]) {
      for (const prefix of RESERVED_PREFIXES) {
        expect(route === prefix || route.startsWith(`${prefix}/`)).toBe(false);
      }
    }
  });

  it('tells the API and operations paths from unknown console paths', () => {
    for (const url of [
      '/api',
      '/api/nope',
      '/r',
      '/r/x?y=1',
      '/health/live',
      '/metrics',
      '/docs',
      '/docs/x',
      '/docs-json',
    ]) {
      expect(`${url} ${isReservedPath(url)}`).toBe(`${url} true`);
    }
    for (const url of ['/nonexistent', '/apis', '/rates', '/logs/extra', '/?api=1', '/metricsx']) {
      expect(`${url} ${isReservedPath(url)}`).toBe(`${url} false`);
    }
  });

  it('forbids inline script and foreign origins', () => {
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(CONSOLE_CSP).not.toContain('unsafe-eval');
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });
});
