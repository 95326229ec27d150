import { FastifyInstance } from 'fastify';
import { Logger } from 'pino';

/**
 * One `debug` line per request (reqId, method, route, status, duration). The hook is only
 * installed when debug is enabled, so at `info` the hot path pays nothing for it. The route
 * template is logged rather than the URL: query strings carry partner data.
 */
export function installRequestLog(fastify: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('debug')) return;
  const log = logger.child({ context: 'http' });
  fastify.addHook('onResponse', (request, reply, done) => {
    log.debug(
      {
        reqId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
    done();
  });
}
