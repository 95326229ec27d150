import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { parseFormEncoded } from '@tracker/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseJsonPostbackBody, unparsedPostbackBody } from './postback-body';

/** The one route whose bad bodies are recorded instead of refused. */
export const POSTBACK_ROUTE = '/api/postbacks/:integrationId/tracker-postback';

type Done = (error: Error | null, body?: unknown) => void;

const isPostbackRoute = (request: FastifyRequest) => request.routeOptions?.url === POSTBACK_ROUTE;

/** The content type a partner sent, before the postback route normalised it. */
const sentContentTypes = new WeakMap<FastifyRequest, string>();

export function sentContentType(request: FastifyRequest): string | undefined {
  return sentContentTypes.get(request) ?? (request.headers['content-type'] as string | undefined);
}

/** Media types the postback route parses; any other header value goes to the raw parser. */
const PARSED_MEDIA_TYPES = new Set(['application/json', 'application/x-www-form-urlencoded']);
const RAW_MEDIA_TYPE = 'application/octet-stream';
const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';

function unsupportedMediaType(contentType: string): Error {
  const error = new Error(`Unsupported Media Type: ${contentType}`) as Error & {
    statusCode: number;
    code: string;
  };
  error.statusCode = 415;
  error.code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  return error;
}

/**
 * Partners send broken JSON and odd content types; for the postback route these must be
 * recorded (with the reason), not refused. Every other route keeps Fastify's exact behaviour:
 * the JSON parser delegates to Fastify's default one and unknown types still answer 415.
 */
@Injectable()
export class PostbackBodyParsers implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addContentTypeParser) return;
    const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
    const defaultJson = fastify.getDefaultJsonParser(
      onProtoPoisoning ?? 'error',
      onConstructorPoisoning ?? 'error',
    );
    // Fastify refuses malformed or unknown content types (415) before any parser runs; the
    // postback route records them instead, so it routes such bodies to the raw parser.
    fastify.addHook('preParsing', (request, _reply, payload, done) => {
      const sent = request.headers['content-type'];
      if (sent !== undefined && isPostbackRoute(request)) {
        const mediaType = String(sent).split(';', 1)[0].trim().toLowerCase();
        sentContentTypes.set(request, String(sent));
        request.headers['content-type'] = PARSED_MEDIA_TYPES.has(mediaType)
          ? mediaType
          : RAW_MEDIA_TYPE;
      }
      done(null, payload);
    });
    if (fastify.hasContentTypeParser('application/json')) {
      fastify.removeContentTypeParser('application/json');
    }
    fastify.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit },
      (request: FastifyRequest, body: Buffer, done: Done) => {
        if (isPostbackRoute(request)) done(null, parseJsonPostbackBody(body));
        // Fastify's default parser reads a Buffer as well (the Nest adapter relies on it too).
        else defaultJson(request, body as unknown as string, done);
      },
    );
    // Form bodies decode as every query does (invalid UTF-8 as U+FFFD, SPEC section 5), not
    // as the platform's default form parser, which keeps an undecodable value's escapes.
    if (fastify.hasContentTypeParser(FORM_MEDIA_TYPE)) {
      fastify.removeContentTypeParser(FORM_MEDIA_TYPE);
    }
    fastify.addContentTypeParser(
      FORM_MEDIA_TYPE,
      { parseAs: 'buffer', bodyLimit },
      (_request: FastifyRequest, body: Buffer, done: Done) =>
        done(null, parseFormEncoded(body.toString('utf8'))),
    );
    if (!fastify.hasContentTypeParser('*')) {
      fastify.addContentTypeParser(
        '*',
        { parseAs: 'buffer', bodyLimit },
        (request: FastifyRequest, body: Buffer, done: Done) => {
          const contentType = String(sentContentType(request) ?? '');
          if (isPostbackRoute(request)) done(null, unparsedPostbackBody(body, contentType));
          else done(unsupportedMediaType(contentType));
        },
      );
    }
  }
}
