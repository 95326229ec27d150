import replyFrom from '@fastify/reply-from';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyReply, FastifyRequest } from 'fastify';
import { GATEWAY_ROUTES, WorkerApp } from '../processes/topology';

/** The query string of a request URL as received, without its `?` ('' when none). */
function rawQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at + 1);
}

/** The path of a request URL, without its query. */
function pathOf(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

/** Base URL (`http://127.0.0.1:<port>`) of each app process. */
export type Upstreams = Record<WorkerApp, string>;

/**
 * Forwards the API paths of GATEWAY_ROUTES from the public port to the app processes
 * (@fastify/reply-from over undici's keep-alive pool), with the caller's address in
 * X-Forwarded-For so the apps log and store the real client. An app that does not answer
 * (crashed, restarting) gives a 503 saying so, never a hang.
 */
export async function installGateway(
  app: NestFastifyApplication,
  upstreams: Upstreams,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(replyFrom, { undici: { connections: 64 } });
  for (const route of GATEWAY_ROUTES) {
    const base = upstreams[route.app];
    const handler = (request: FastifyRequest, reply: FastifyReply) =>
      // The edge's rewriteUrl (createHttpApp) already made the path decodable, as every app
      // process does: the app sees the same parameter as when it runs alone.
      reply.from(`${base}${pathOf(request.url)}`, {
        // The query goes on byte for byte: the app decodes it as data (SPEC section 9), and
        // reply-from would otherwise decode it first and fail on a malformed escape.
        queryString: () => rawQuery(request.url),
        rewriteRequestHeaders: (_request, headers) => ({
          ...headers,
          'x-forwarded-for': request.ip,
          'x-forwarded-proto': request.protocol,
          'x-forwarded-host': request.hostname,
          'x-request-id': request.id,
        }),
        onError: (failed) =>
          void failed.code(503).send({
            statusCode: 503,
            message: `The ${route.app} process is not answering (it restarts by itself); try again in a few seconds`,
          }),
      });
    // Fastify prefers a static or parametric route to a wildcard: exact routes win as in routeOf.
    const paths = route.exact
      ? [route.prefix]
      : route.prefix.endsWith('/')
        ? [`${route.prefix}*`]
        : [route.prefix, `${route.prefix}/*`];
    for (const url of paths) fastify.all(url, handler);
  }
}
