import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { IntegrationDirectory } from '@tracker/directory';
import type { FastifyInstance } from 'fastify';
import { Counter, register } from 'prom-client';
import { POSTBACK_ROUTE } from '../http/postback-body-parsers';

/**
 * Answers that refuse a postback before it is durable, so it is never in the postback log
 * (SPEC section 9: "counted per integration in /metrics"): too large (`413`), over the rate
 * limit (`429`), the broker and the spool both unavailable (`503`), a request line or headers
 * beyond Node's limit (`431`, answered by the HTTP parser before any route: the integration is
 * read from the bytes received), and a `414` should a routed request get one.
 */
export const REFUSED_STATUSES: ReadonlySet<number> = new Set([413, 414, 429, 431, 503]);

const refusedPostbacks =
  (register.getSingleMetric('tracker_postbacks_refused_total') as Counter | undefined) ??
  new Counter({
    name: 'tracker_postbacks_refused_total',
    help: 'Postbacks refused before they were recorded (not in the postback log), by integration and status',
    labelNames: ['integration', 'status'],
  });

const POSTBACK_REQUEST_LINE = /^[A-Z]+ \/api\/postbacks\/([^/?#\s]+)\/tracker-postback[/?#\s]/;

/**
 * The integration id in the request line of a request Node's parser refused (its `rawPacket`:
 * the bytes received so far, ASCII up to the path), or null when it is not a postback request.
 */
export function postbackIntegrationOfRawRequest(raw: Buffer | undefined): string | null {
  if (!raw) return null;
  const match = POSTBACK_REQUEST_LINE.exec(raw.subarray(0, 512).toString('latin1'));
  return match ? match[1].toLowerCase() : null;
}

/**
 * Counts the refused postbacks per integration: labelled with the integration's id when it is
 * one the tracker knows, else `unknown`, so made-up ids cannot grow the metric without bound.
 */
@Injectable()
export class RefusedPostbacks {
  constructor(adapterHost: HttpAdapterHost, integrations: IntegrationDirectory) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    const count = (integrationId: string | undefined, status: number) => {
      const id = integrationId?.toLowerCase();
      const known = id !== undefined && integrations.get(id) !== undefined;
      refusedPostbacks.inc({ integration: known ? id : 'unknown', status: String(status) });
    };
    fastify.addHook('onResponse', (request, reply, done) => {
      if (REFUSED_STATUSES.has(reply.statusCode) && request.routeOptions?.url === POSTBACK_ROUTE) {
        count(
          (request.params as { integrationId?: string } | undefined)?.integrationId,
          reply.statusCode,
        );
      }
      done();
    });
    // Fastify's own client-error handler answers the 431; this listener only counts it.
    fastify.server.on('clientError', (error: Error & { code?: string; rawPacket?: Buffer }) => {
      if (error.code !== 'HPE_HEADER_OVERFLOW') return;
      const integrationId = postbackIntegrationOfRawRequest(error.rawPacket);
      if (integrationId !== null) count(integrationId, 431);
    });
  }
}
