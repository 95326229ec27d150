import { Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { replyWithApiError } from '@tracker/platform';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RouteHandlerMethod,
  RouteOptions,
} from 'fastify';
import { POSTBACK_ROUTE, sentContentType } from '../http/postback-body-parsers';
import { QueryParams } from './postback-params';
import { ReceivePostbackCommand, ReceivePostbackHandler } from './receive-postback.handler';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The methods the postback URL answers (SPEC section 4); others are 405. */
export const POSTBACK_ALLOW = 'GET, POST, HEAD, OPTIONS';
const PROBES = new Set(['HEAD', 'OPTIONS']);
const RECEIVES = new Set(['GET', 'POST']);

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

/** What the handler needs from the HTTP request, nothing parsed twice. */
export function postbackCommand(
  integrationId: string,
  request: FastifyRequest,
): ReceivePostbackCommand {
  return {
    integrationId,
    method: request.method,
    // The raw request target as received (before any rewriteUrl), never a re-serialised URL
    // (SPEC section 3).
    rawUrl: request.originalUrl ?? request.raw.url ?? request.url,
    query: request.query as QueryParams,
    body: request.body,
    contentType: sentContentType(request),
    remoteAddress: request.ip ?? null,
    userAgent: header(request, 'user-agent'),
  };
}

/**
 * The hot path of B1 (SPEC section 8): the postback routes keep their Nest declaration (docs,
 * body parsers, platform hooks) but Fastify calls the handler directly, without Nest's
 * per-request pipeline (execution context, pipes, exception zone). Errors get the same
 * `{statusCode, message}` body the platform's exception filter writes.
 */
@Injectable()
export class PostbackRoute {
  private readonly logger = new Logger('http');

  constructor(adapterHost: HttpAdapterHost, receive: ReceivePostbackHandler) {
    // Nest registers controller routes after every provider is built, so this hook sees them.
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    const handler: RouteHandlerMethod = (request, reply) => {
      const { integrationId } = request.params as { integrationId: string };
      return receive.execute(postbackCommand(integrationId, request)).then(
        // The id is a UUID: nothing to escape, no serializer needed.
        ({ id }) => reply.type(JSON_TYPE).send(`{"status":"accepted","id":"${id}"}`),
        (error: unknown) => this.fail(reply, error),
      );
    };
    // Probes record nothing: they only say whether the URL would take a postback.
    const probe: RouteHandlerMethod = (request, reply) => {
      const { integrationId } = request.params as { integrationId: string };
      return receive.probe(integrationId).then(
        () => reply.header('allow', POSTBACK_ALLOW).status(200).send(),
        (error: unknown) => this.fail(reply, error),
      );
    };
    const notAllowed: RouteHandlerMethod = (request, reply) =>
      reply
        .header('allow', POSTBACK_ALLOW)
        .status(405)
        .type(JSON_TYPE)
        .send({
          statusCode: 405,
          message: `method ${request.method} is not allowed on the postback URL; use GET or POST`,
        });
    fastify.addHook('onRoute', (route: RouteOptions) => {
      if (route.url !== POSTBACK_ROUTE) return;
      const methods = [route.method].flat();
      if (methods.every((m) => RECEIVES.has(m))) route.handler = handler;
      else if (methods.every((m) => PROBES.has(m))) route.handler = probe;
      else route.handler = notAllowed;
    });
  }

  private fail(reply: FastifyReply, error: unknown): FastifyReply {
    return replyWithApiError(reply, error, this.logger);
  }
}
