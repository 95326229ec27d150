import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '../..');

export interface Route<App extends string = string> {
  app: App;
  method: string;
  /** The route with path parameters replaced by `sample-id`, as a proxy must route it. */
  path: string;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

/** Routes as the apps' controllers declare them (decorators read from source). */
export function controllerRoutes<App extends string>(apps: readonly App[]): Route<App>[] {
  const routes: Route<App>[] = [];
  for (const app of apps) {
    for (const file of walk(path.join(root, 'apps', app, 'src')).filter((f) =>
      f.endsWith('.controller.ts'),
    )) {
      const source = fs.readFileSync(file, 'utf8');
      const prefix = /@Controller\(\s*(?:'([^']*)'|\{[^}]*path:\s*'([^']*)')?/.exec(source);
      const base = prefix ? (prefix[1] ?? prefix[2] ?? '') : '';
      for (const match of source.matchAll(
        /@(Get|Post|Put|Patch|Delete|All)\(\s*(?:'([^']*)')?\s*\)/g,
      )) {
        const joined = ['', base, match[2] ?? ''].join('/').replace(/\/+/g, '/').replace(/\/$/, '');
        const concrete = joined.replace(/:[A-Za-z]+/g, 'sample-id');
        routes.push({ app, method: match[1].toUpperCase(), path: concrete || '/' });
      }
    }
  }
  return routes;
}
