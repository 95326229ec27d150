import { IncomingMessage } from 'node:http';
import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { RuntimeConfig } from '@tracker/config';
import { decodablePathTarget, parseFormEncoded } from '@tracker/contracts';
import { Logger as Pino } from 'pino';
import { PinoNestLogger } from '../logging/pino-logger';
import { installRequestLog } from '../logging/request-log';
import { installHttpMetrics } from '../metrics/http-metrics';
import { ApiExceptionFilter } from './api-exception.filter';
import { documentErrorAnswers } from './openapi-errors';
import { createValidationPipe } from './validation';

/** SPEC section 4: postback bodies over 16 KiB answer 413; API bodies are far smaller. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The HTTP app of one process: Fastify with the house's limits, logging, metrics, errors and
 * validation, and the OpenAPI document at `/docs` and `/docs-json` — of this process's routes
 * plus `otherDocs` (the documents of the app processes the tracker's public port routes to,
 * each already through `documentErrorAnswers` in its own process).
 */
export async function createHttpApp(
  module: Type<unknown> | DynamicModule,
  config: RuntimeConfig,
  logger: Pino,
  title: string,
  otherDocs: OpenAPIObject[] = [],
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: {
      // Partners send odd URLs; never reject them at the router for a stray slash.
      ignoreTrailingSlash: true,
      // Click ids of any length are data (SPEC section 9): a long one gets the route's own 400 or
      // 404, not the router's 414 in Fastify's error shape. The request line stays bounded by
      // Node's header limit.
      maxParamLength: 16 * 1024,
      // Every query (postbacks, /r/ clicks, API parameters) decoded one way: invalid UTF-8 is
      // U+FFFD, never left as its literal escape (SPEC sections 5 and 9).
      querystringParser: parseFormEncoded,
    },
    // Path parameters decoded like queries (SPEC section 9): `/api/clicks/%FF` reaches its
    // route with U+FFFD instead of Fastify's bad-URL 400, in every app and at the tracker's
    // edge alike, so one process and several answer the same.
    rewriteUrl: (request: IncomingMessage) => decodablePathTarget(request.url ?? '/'),
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    trustProxy: true,
    // Slow clients (SPEC section 9): a client trickling its headers or body, or idling on a
    // keep-alive connection, must not hold a socket for ever. Node checks the request and
    // header deadlines on an interval; a tenth of the shortest keeps them close to exact.
    requestTimeout: config.httpRequestTimeoutMs,
    connectionTimeout: config.httpRequestTimeoutMs,
    keepAliveTimeout: config.httpKeepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs),
      connectionsCheckingInterval: Math.max(
        50,
        Math.floor(Math.min(config.httpHeadersTimeoutMs, config.httpRequestTimeoutMs) / 10),
      ),
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: true,
  });
  const fastify = app.getHttpAdapter().getInstance();
  installHttpMetrics(fastify);
  installRequestLog(fastify, logger);
  fastify.addHook('onSend', (request, reply, _payload, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins });

  const document = documentErrorAnswers(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle(title)
        .setDescription('Postback tracker API (see SPEC section 4)')
        .addBearerAuth()
        .build(),
    ),
  );
  SwaggerModule.setup('docs', app, mergeOpenApi(document, otherDocs), {
    jsonDocumentUrl: 'docs-json',
  });
  return app;
}

/** One document of several apps' routes: paths, component schemas and tags joined. */
export function mergeOpenApi(own: OpenAPIObject, others: OpenAPIObject[]): OpenAPIObject {
  const merged: OpenAPIObject = {
    ...own,
    paths: { ...own.paths },
    components: { ...own.components, schemas: { ...own.components?.schemas } },
    tags: [...(own.tags ?? [])],
  };
  for (const other of others) {
    Object.assign(merged.paths, other.paths);
    Object.assign(merged.components!.schemas!, other.components?.schemas ?? {});
    for (const tag of other.tags ?? []) {
      if (!merged.tags!.some((known) => known.name === tag.name)) merged.tags!.push(tag);
    }
  }
  return merged;
}
