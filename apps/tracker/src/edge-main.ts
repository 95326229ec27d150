import {
  MetricsExposition,
  ReadinessFailure,
  ReadinessRegistry,
  composeApp,
  runApp,
} from '@tracker/platform';
import { OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import { installGateway, Upstreams } from './gateway/install-gateway';
import { TRACKER_TITLE } from './run-tracker';
import { EDGE_FEATURES } from './tracker.features';

/** How long the edge waits for the app processes' OpenAPI documents at start. */
const DOCS_WAIT_MS = 120_000;

/**
 * The process that owns the tracker's public port when it runs as several processes: the
 * ingress (postback endpoint, click redirect) plus a gateway to the app processes, whose state
 * `/health/ready` reports as components and whose metrics `/metrics` includes (SPEC section 4,
 * Operations).
 */
function runEdge(): Promise<void> {
  const upstreams = JSON.parse(process.env.TRACKER_UPSTREAMS ?? '{}') as Upstreams;
  return runApp({
    name: 'tracker',
    title: TRACKER_TITLE,
    module: (runtime) => composeApp(runtime, 'tracker', EDGE_FEATURES),
    otherDocs: (_config, logger) => fetchDocs(upstreams, logger),
    beforeListen: async (app) => {
      await installGateway(app, upstreams);
      const readiness = app.get(ReadinessRegistry);
      const metrics = app.get(MetricsExposition);
      for (const [name, base] of Object.entries(upstreams)) {
        readiness.registerComponent(`process:${name}`, () => processReady(base));
        metrics.addUpstream(name, base);
      }
    },
  });
}

async function processReady(base: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(1500) });
  } catch {
    throw new ReadinessFailure('not running (restarting)');
  }
  if (!response.ok) throw new ReadinessFailure(`not ready (${response.status})`);
}

/** Each app process's `/docs-json`, waiting for those still starting (a missing one is left out). */
async function fetchDocs(upstreams: Upstreams, logger: Logger): Promise<OpenAPIObject[]> {
  const deadline = Date.now() + DOCS_WAIT_MS;
  return Promise.all(
    Object.entries(upstreams).map(async ([name, base]) => {
      while (Date.now() < deadline) {
        try {
          const response = await fetch(`${base}/docs-json`, { signal: AbortSignal.timeout(2000) });
          if (response.ok) return (await response.json()) as OpenAPIObject;
        } catch {
          // still starting
        }
        await delay(250);
      }
      logger.warn(`no OpenAPI document from the ${name} process; /docs lacks its routes`);
      return null;
    }),
  ).then((docs) => docs.filter((doc): doc is OpenAPIObject => doc !== null));
}

void runEdge();
