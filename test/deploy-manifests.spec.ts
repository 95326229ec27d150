/**
 * There is no Docker engine or cluster here, so the deployment files are checked statically:
 * every app, port, env variable and route must be present and agree with the code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { TOPIC_SPECS } from '@tracker/contracts';
import {
  CONSOLE_CSP,
  CONSOLE_PATHS,
  CONSOLE_SECURITY_HEADERS,
  isReservedPath,
  RESERVED_PREFIXES,
} from '../apps/tracker/src/console/console-paths';
import { controllerRoutes } from './support/controller-routes';

const root = path.join(__dirname, '..');
const APPS = ['ingress', 'registry', 'postback-log', 'attribution', 'dispatcher'] as const;
type App = (typeof APPS)[number];
const BINDING_ENV = [
  'PORT',
  'PUBLIC_BASE_URL',
  'KAFKA_BROKERS',
  'DATABASE_URL',
  'TRACKER_ADMIN_TOKEN',
  'LOG_LEVEL',
  'DESTINATIONS_ALLOW_PRIVATE',
];

const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

interface NginxLocation {
  modifier: '=' | '~' | '';
  prefix: string;
  upstream: string;
}

function nginxLocations(): NginxLocation[] {
  return [
    ...read('deploy/nginx.conf').matchAll(
      /location\s+(?:([=~])\s+)?(\S+)\s*\{\s*proxy_pass\s+http:\/\/([\w-]+);/g,
    ),
  ].map((m) => ({ modifier: (m[1] ?? '') as '=' | '~' | '', prefix: m[2], upstream: m[3] }));
}

/** nginx semantics: an exact match wins, then the first matching regex, else the longest prefix. */
function nginxRoute(locations: NginxLocation[], requestPath: string): string | undefined {
  const exact = locations.find((l) => l.modifier === '=' && l.prefix === requestPath);
  if (exact) return exact.upstream;
  const regex = locations.find((l) => l.modifier === '~' && new RegExp(l.prefix).test(requestPath));
  if (regex) return regex.upstream;
  return locations
    .filter((l) => l.modifier === '' && requestPath.startsWith(l.prefix))
    .sort((a, b) => b.prefix.length - a.prefix.length)[0]?.upstream;
}

/** A `location` block of deploy/console.nginx.conf: its match and its directives as text. */
interface ConsoleLocation {
  modifier: '=' | '~' | '';
  pattern: string;
  body: string;
}

function consoleLocations(): ConsoleLocation[] {
  const conf = read('deploy/console.nginx.conf');
  return [...conf.matchAll(/location\s+(?:([=~])\s+)?(\S+)\s*\{/g)].map((m) => {
    // The block ends at its own closing brace: an `if` inside it nests one more.
    let end = m.index + m[0].length;
    for (let depth = 1; depth > 0; end++) {
      if (conf[end] === '{') depth++;
      else if (conf[end] === '}') depth--;
    }
    return {
      modifier: (m[1] ?? '') as '=' | '~' | '',
      pattern: m[2],
      body: conf.slice(m.index + m[0].length, end - 1),
    };
  });
}

/** What the standalone console answers: status, which body, and the headers nginx adds. */
interface ConsoleAnswer {
  status: number;
  body: 'index.html' | 'asset' | 'nginx error page';
  headers: Record<string, string>;
}

/**
 * nginx semantics for the directives the console's config uses: locations match the decoded
 * path (exact, then the first regex, then the longest prefix); `internal`, an `if` on
 * `$request_uri` and `return 404` fail with 404, which `error_page 404 <uri>` turns into an
 * internal redirect keeping the status (once: recursive_error_pages is off); `add_header` without
 * `always` applies to 2xx and 3xx answers only.
 */
function consoleAnswer(
  locations: ConsoleLocation[],
  requestUri: string,
  status = 200,
  redirected = false,
): ConsoleAnswer {
  const uri = redirected ? requestUri : decodeURIComponent(requestUri.split('?')[0]);
  const location =
    locations.find((l) => l.modifier === '=' && l.pattern === uri) ??
    locations.find((l) => l.modifier === '~' && new RegExp(l.pattern).test(uri)) ??
    locations
      .filter((l) => l.modifier === '' && uri.startsWith(l.pattern))
      .sort((a, b) => b.pattern.length - a.pattern.length)[0];
  const body = location.body;
  const answer = (code: number, what: ConsoleAnswer['body']): ConsoleAnswer => ({
    status: code,
    body: what,
    headers: Object.fromEntries(
      [...body.matchAll(/add_header\s+(\S+)\s+("[^"]*"|'[^']*'|\S+)(\s+always)?;/g)]
        .filter((h) => h[3] || code < 400)
        .map((h) => [h[1].toLowerCase(), h[2].replace(/^["']|["']$/g, '')]),
    ),
  });
  const fail = (): ConsoleAnswer => {
    const page = /error_page 404 (\S+);/.exec(body)?.[1];
    return page && !redirected
      ? consoleAnswer(locations, page, 404, true)
      : answer(404, 'nginx error page');
  };
  const outsideIf = body.replace(/if \(.*\) \{[^}]*\}/g, '');
  if (/^\s*internal;/m.test(body) && !redirected) return fail();
  const uriCheck = /if \(\$request_uri !~ "([^"]+)"\) \{\s*return 404;\s*\}/.exec(body);
  if (uriCheck && !redirected && !new RegExp(uriCheck[1]).test(requestUri)) return fail();
  if (/return 404;/.test(outsideIf)) return fail();
  if (/try_files \/index\.html /.test(body)) return answer(status, 'index.html');
  if (/try_files \$uri /.test(body)) return answer(status, 'asset');
  return answer(status, uri === '/index.html' ? 'index.html' : 'nginx error page');
}

/**
 * What the tracker's own port answers (apps/tracker/src/console/console.module.ts): index.html on
 * a client path (a `:param` is one segment of the path as sent), the API's plain 404 on a
 * reserved path, else index.html with status 404.
 */
function trackerAnswer(requestUri: string): Pick<ConsoleAnswer, 'status' | 'body'> {
  const rawPath = requestUri.split('?')[0];
  const client = CONSOLE_PATHS.some((p) =>
    new RegExp(`^${p.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(rawPath),
  );
  if (client) return { status: 200, body: 'index.html' };
  if (isReservedPath(requestUri)) return { status: 404, body: 'nginx error page' };
  return { status: 404, body: 'index.html' };
}

interface IngressPath {
  path: string;
  pathType: string;
  backend: { service: { name: string } };
}

function kubernetesDocs(): Array<
  Record<string, unknown> & { kind: string; metadata: { name: string } }
> {
  const dir = path.join(root, 'deploy/kubernetes');
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .flatMap((f) =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()),
    )
    .filter(Boolean);
}

/**
 * Kubernetes Ingress semantics (ingress-nginx with use-regex): Exact first, then the longest
 * matching path, a Prefix by path segment or an ImplementationSpecific one as an anchored regex.
 */
function kubernetesRoute(paths: IngressPath[], requestPath: string): string | undefined {
  const exact = paths.find((p) => p.pathType === 'Exact' && p.path === requestPath);
  if (exact) return exact.backend.service.name;
  const segmentPrefix = (prefix: string) => {
    const trimmed = prefix.replace(/\/$/, '');
    return trimmed === '' || requestPath === trimmed || requestPath.startsWith(`${trimmed}/`);
  };
  const matches = (p: IngressPath) =>
    p.pathType === 'Prefix'
      ? segmentPrefix(p.path)
      : p.pathType === 'ImplementationSpecific' && new RegExp(`^${p.path}`).test(requestPath);
  return paths.filter(matches).sort((a, b) => b.path.length - a.path.length)[0]?.backend.service
    .name;
}

const upstreamName = (app: App) => app.replace('-', '_');

/** The console's client paths as a browser asks for them, an asset, and an unknown path. */
const consoleRequests = [
  ...CONSOLE_PATHS.map((p) => p.replace(/:[A-Za-z]+/g, 'sample-id')),
  '/assets/index-abc123.js',
  // The console answers it with its not-found page, never the API's JSON 404.
  '/nonexistent',
];
/** Operations paths that must never reach the console. */
const operationRequests = RESERVED_PREFIXES.map((p) => `${p}/sample`);

describe('deployment files agree with the code', () => {
  const routes = controllerRoutes(APPS);

  it('finds the API routes of every app in its controllers', () => {
    for (const app of APPS) expect(routes.filter((r) => r.app === app).length).toBeGreaterThan(0);
  });

  it('runs the tracker as the npm start process itself, so a signal to its pid stops it', () => {
    // `a && node x` leaves a shell between npm and node: npm forwards SIGINT and SIGTERM to the
    // shell only, and the tracker ran on, orphaned, after a process manager stopped npm by pid.
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.start).toMatch(/&& exec node dist\/apps\/tracker\/main\.js$/);
    expect(scripts['start:app']).toMatch(/&& exec node /);
  });

  it('has an entry point for every app', () => {
    for (const app of [...APPS, 'tracker']) {
      expect(fs.existsSync(path.join(root, 'apps', app, 'main.ts'))).toBe(true);
    }
  });

  describe('docker-compose.yml', () => {
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<
        string,
        {
          image?: string;
          build?: { dockerfile: string; args?: Record<string, string> };
          environment?: Record<string, string>;
          healthcheck?: { test: string[] };
        }
      >;
    };

    it('runs Apache Kafka 3.9 and PostgreSQL', () => {
      expect(compose.services.kafka.image).toMatch(/^apache\/kafka:3\.9\./);
      expect(compose.services.postgres.image).toMatch(/^postgres:/);
    });

    it.each(APPS)(
      'runs %s from the shared Dockerfile with every binding variable and a readiness check',
      (app) => {
        const service = compose.services[app];
        expect(service.build?.dockerfile).toBe('deploy/Dockerfile');
        expect(service.build?.args?.APP).toBe(app);
        expect(Object.keys(service.environment ?? {})).toEqual(expect.arrayContaining(BINDING_ENV));
        expect(service.environment?.KAFKA_BROKERS).toBe('kafka:9092');
        expect(service.healthcheck?.test.join(' ')).toContain('/health/ready');
      },
    );

    it('builds images whose entry point is dist/apps/<APP>/main.js', () => {
      const dockerfile = read('deploy/Dockerfile');
      expect(dockerfile).toContain('dist/apps/${APP}/main.js');
      expect(dockerfile).toMatch(/^FROM .* AS build$/m);
    });

    it('routes every API path to the app that serves it', () => {
      const locations = nginxLocations();
      for (const route of routes) {
        expect({ ...route, routedTo: nginxRoute(locations, route.path) }).toEqual({
          ...route,
          routedTo: upstreamName(route.app),
        });
      }
    });
  });

  describe('the web console container', () => {
    it('is a static nginx target of the shared Dockerfile with the tracker’s CSP', () => {
      const dockerfile = read('deploy/Dockerfile');
      expect(dockerfile).toMatch(/^FROM nginx:\S+ AS console$/m);
      expect(dockerfile).toContain('COPY --from=build /app/dist/console /usr/share/nginx/html');
      // The app image stays the default (last) target.
      expect(
        dockerfile
          .trim()
          .split(/^FROM /m)
          .at(-1),
      ).toMatch(/^node:/);
      const conf = read('deploy/console.nginx.conf');
      const headers = [...conf.matchAll(/add_header Content-Security-Policy "([^"]+)"/g)];
      expect(headers.length).toBeGreaterThan(0);
      for (const header of headers) expect(header[1]).toBe(CONSOLE_CSP);
    });

    it('answers as the tracker: index.html on client paths, the not-found page with 404 elsewhere', () => {
      const locations = consoleLocations();
      const probes = [
        ...CONSOLE_PATHS.map((p) => p.replace(/:[A-Za-z]+/g, 'sample-id')),
        // An id with an encoded slash is still one segment; the query string is not the path.
        '/clicks/a%2Fb',
        '/integrations/sample-id?tab=events',
        '/nonexistent',
        '/no/such/route',
        '/logs/',
        '/integrations/',
        '/integrations/sample-id/more',
        '/index.html',
        '/apix',
        '/docsx',
        '/docs-json',
        ...RESERVED_PREFIXES.flatMap((p) => [p, `${p}/sample`]),
      ];
      for (const request of probes) {
        const { status, body } = consoleAnswer(locations, request);
        expect(`${request} → ${status} ${body}`).toBe(
          `${request} → ${trackerAnswer(request).status} ${trackerAnswer(request).body}`,
        );
      }
      // Every index.html answer, 200 or 404, carries the console's headers and is never cached.
      for (const request of probes) {
        const answer = consoleAnswer(locations, request);
        if (answer.body !== 'index.html') continue;
        expect({ request, ...answer.headers }).toEqual({
          request,
          ...CONSOLE_SECURITY_HEADERS,
          'cache-control': 'no-cache',
        });
      }
      const asset = consoleAnswer(locations, '/assets/index-abc123.js');
      expect(asset).toEqual({
        status: 200,
        body: 'asset',
        headers: {
          ...CONSOLE_SECURITY_HEADERS,
          'cache-control': 'public, max-age=31536000, immutable',
        },
      });
      // A missing asset's 404 is not cached for a year.
      expect(consoleAnswer(locations, '/assets/index-abc123.js', 404).headers).not.toHaveProperty(
        'cache-control',
      );
    });

    it('declares each proxy location and Ingress path once (nginx refuses a duplicate)', () => {
      const locations = nginxLocations().map((l) => `${l.modifier} ${l.prefix}`);
      expect(locations.filter((l, i) => locations.indexOf(l) !== i)).toEqual([]);
      const ingress = parseAllDocuments(read('deploy/kubernetes/ingress-routes.yaml'))
        .map(
          (doc) =>
            doc.toJS() as {
              kind?: string;
              spec?: { rules: Array<{ http: { paths: IngressPath[] } }> };
            },
        )
        .find((doc) => doc?.kind === 'Ingress')!;
      const paths = ingress.spec!.rules[0].http.paths.map((p) => `${p.pathType} ${p.path}`);
      expect(paths.filter((p, i) => paths.indexOf(p) !== i)).toEqual([]);
    });

    it('is routed its client paths by the compose proxy, and nothing of the API', () => {
      const compose = parse(read('docker-compose.yml'), { merge: true }) as {
        services: Record<string, { build?: { target?: string } }>;
      };
      expect(compose.services.console.build?.target).toBe('console');
      const locations = nginxLocations();
      for (const request of consoleRequests) {
        expect(`${request} → ${nginxRoute(locations, request)}`).toBe(`${request} → console`);
      }
      for (const request of operationRequests) {
        expect(nginxRoute(locations, request)).not.toBe('console');
      }
    });

    it('is routed its client paths by the Kubernetes Ingress, and nothing of the API', () => {
      const ingress = kubernetesDocs().find((d) => d.kind === 'Ingress') as unknown as {
        spec: { rules: Array<{ http: { paths: IngressPath[] } }> };
      };
      const paths = ingress.spec.rules[0].http.paths;
      for (const request of consoleRequests) {
        expect(`${request} → ${kubernetesRoute(paths, request)}`).toBe(`${request} → console`);
      }
      for (const request of operationRequests) {
        expect(kubernetesRoute(paths, request)).not.toBe('console');
      }
    });
  });

  describe('deploy/kubernetes', () => {
    const docs = kubernetesDocs();

    it('keeps the ingress spool volumes when the StatefulSet scales down', () => {
      const ingress = docs.find(
        (d) => d.kind === 'StatefulSet' && d.metadata.name === 'ingress',
      ) as { spec: { persistentVolumeClaimRetentionPolicy?: Record<string, string> } } | undefined;
      expect(ingress?.spec.persistentVolumeClaimRetentionPolicy).toEqual({
        whenScaled: 'Retain',
        whenDeleted: 'Retain',
      });
    });

    it.each(APPS)('has a workload and a Service for %s with config and secrets', (app) => {
      const workload = docs.find(
        (d) => ['Deployment', 'StatefulSet'].includes(d.kind) && d.metadata.name === app,
      ) as unknown as {
        spec: {
          template: {
            spec: {
              containers: Array<{
                command: string[];
                envFrom: Array<Record<string, { name: string }>>;
                ports: Array<{ containerPort: number }>;
              }>;
            };
          };
        };
      };
      expect(workload).toBeDefined();
      const container = workload.spec.template.spec.containers[0];
      expect(container.command.join(' ')).toContain(`dist/apps/${app}/main.js`);
      // The image's V8 growing factor (a flag NODE_OPTIONS refuses), also when the command is set.
      const growing = /exec node (--heap-growing-percent=\d+) /.exec(
        read('deploy/Dockerfile'),
      )?.[1];
      expect(growing).toBeDefined();
      expect(container.command).toContain(growing);
      expect(container.ports[0].containerPort).toBe(3000);
      const sources = container.envFrom.map((e) => Object.values(e)[0].name);
      expect(sources).toEqual(['tracker-config', 'tracker-secrets']);
      expect(docs.some((d) => d.kind === 'Service' && d.metadata.name === app)).toBe(true);
    });

    it('provides every binding variable through the ConfigMap and Secret', () => {
      const config = docs.find((d) => d.kind === 'ConfigMap') as unknown as {
        data: Record<string, string>;
      };
      const secret = docs.find((d) => d.kind === 'Secret') as unknown as {
        stringData: Record<string, string>;
      };
      expect([...Object.keys(config.data), ...Object.keys(secret.stringData)]).toEqual(
        expect.arrayContaining(BINDING_ENV),
      );
      expect(config.data.PORT).toBe('3000');
    });

    it('caps the Node heap like the image does (B5: RSS per app)', () => {
      const config = docs.find((d) => d.kind === 'ConfigMap') as unknown as {
        data: Record<string, string>;
      };
      const image = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(read('deploy/Dockerfile'))?.[1];
      expect(image).toMatch(/--max-old-space-size=\d+/);
      expect(config.data.NODE_OPTIONS).toBe(image);
    });

    it('scales the ingress with a HorizontalPodAutoscaler', () => {
      const hpa = docs.find((d) => d.kind === 'HorizontalPodAutoscaler') as unknown as {
        spec: { scaleTargetRef: { name: string; kind: string } };
      };
      expect(hpa.spec.scaleTargetRef.name).toBe('ingress');
      const target = docs.find(
        (d) => d.kind === hpa.spec.scaleTargetRef.kind && d.metadata.name === 'ingress',
      );
      expect(target).toBeDefined();
    });

    it('declares every topic of the contract as a KafkaTopic with the right cleanup policy', () => {
      const topics = docs.filter((d) => d.kind === 'KafkaTopic') as unknown as Array<{
        spec: { topicName: string; config: Record<string, string> };
      }>;
      for (const spec of TOPIC_SPECS) {
        const topic = topics.find((t) => t.spec.topicName === spec.name);
        expect(topic?.spec.config['cleanup.policy']).toBe(spec.compacted ? 'compact' : 'delete');
      }
      expect(topics).toHaveLength(TOPIC_SPECS.length);
    });

    it('routes every API path to the app that serves it', () => {
      const ingress = docs.find((d) => d.kind === 'Ingress') as unknown as {
        spec: { rules: Array<{ http: { paths: IngressPath[] } }> };
      };
      const paths = ingress.spec.rules[0].http.paths;
      const services = new Set(
        docs.filter((d) => d.kind === 'Service').map((d) => d.metadata.name),
      );
      for (const p of paths) expect(services.has(p.backend.service.name)).toBe(true);
      for (const route of routes) {
        expect({ ...route, routedTo: kubernetesRoute(paths, route.path) }).toEqual({
          ...route,
          routedTo: route.app,
        });
      }
    });

    it('lists every manifest in the kustomization', () => {
      const kustomization = parse(read('deploy/kubernetes/kustomization.yaml')) as {
        resources: string[];
      };
      const files = fs
        .readdirSync(path.join(root, 'deploy/kubernetes'))
        .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      expect([...kustomization.resources].sort()).toEqual(files.sort());
    });
  });

  describe('nest-cli.json (NestJS monorepo mode)', () => {
    const cli = JSON.parse(read('nest-cli.json')) as {
      monorepo: boolean;
      projects: Record<string, { type: string; root: string; entryFile?: string }>;
    };

    it('names every app, with an entry file `nest build|start <app>` finds', () => {
      expect(cli.monorepo).toBe(true);
      for (const app of [...APPS, 'tracker']) {
        const project = cli.projects[app];
        expect({ app, type: project?.type }).toEqual({ app, type: 'application' });
        // `nest start <app>` runs dist/<entryFile>.js; the build emits it from <entryFile>.ts.
        expect(fs.existsSync(path.join(root, `${project.entryFile}.ts`))).toBe(true);
      }
    });

    it('names every library under libs/', () => {
      const libs = fs
        .readdirSync(path.join(root, 'libs'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
      for (const lib of libs)
        expect({ lib, type: cli.projects[lib]?.type }).toEqual({ lib, type: 'library' });
    });
  });
});
