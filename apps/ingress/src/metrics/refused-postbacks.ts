import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { IntegrationDirectory } from '@tracker/directory';
import type { FastifyInstance } from 'fastify';
import { Counter, register } from 'prom-client';
import { POSTBACK_ROUTE } from '../http/postback-body-parsers';

/**
 * Answers that refuse a postback before it is durable, so it is never in the postback log
 * (SPEC section 9: "counted per integration in /metrics"): too large (`413`), over the rate
 * limit (`429`), the broker and the spool both unavailable (`503`), and a `414`/`431` should a
 * routed request get one. (Node's HTTP parser answers a request line or headers beyond its
 * limit with `431` before any route, so no integration is known for those.)
 */
export const REFUSED_STATUSES: ReadonlySet<number> = new Set([413, 414, 429, 431, 503]);

const refusedPostbacks =
  (register.getSingleMetric('tracker_postbacks_refused_total') as Counter | undefined) ??
  new Counter({
    name: 'tracker_postbacks_refused_total',
    help: 'Postbacks refused before they were recorded (not in the postback log), by integration and status',
    labelNames: ['integration', 'status'],
  });

/**
 * Counts the refused postbacks per integration: labelled with the integration's id when it is
 * one the tracker knows, else `unknown`, so made-up ids cannot grow the metric without bound.
 */
@Injectable()
export class RefusedPostbacks {
  constructor(adapterHost: HttpAdapterHost, integrations: IntegrationDirectory) {
    const fastify = adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', (request, reply, done) => {
      if (REFUSED_STATUSES.has(reply.statusCode) && request.routeOptions?.url === POSTBACK_ROUTE) {
        const { integrationId } = (request.params ?? {}) as { integrationId?: string };
        const id = integrationId?.toLowerCase();
        const known = id !== undefined && integrations.get(id) !== undefined;
        refusedPostbacks.inc({
          integration: known ? id : 'unknown',
          status: String(reply.statusCode),
        });
      }
      done();
    });
  }
}
