import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONSOLE_PATHS, CONSOLE_SECURITY_HEADERS, isReservedPath } from './console-paths';

/** `dist/console` of this checkout (from `apps/tracker/src/console` or its compiled twin). */
export function defaultConsoleDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(dir, 'dist', 'console');
}

export const CONSOLE_DIR = Symbol('CONSOLE_DIR');

function secure(reply: FastifyReply): FastifyReply {
  for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS))
    void reply.header(name, value);
  return reply;
}

/**
 * Serves the web console (the Vite build of apps/console) from the tracker's own origin:
 * index.html on each client-side path, hashed assets under /assets/ (cached for good), every
 * answer with the console's Content-Security-Policy (SPEC section 4, Console). A GET of an
 * unknown path outside the API and operations prefixes answers index.html with status 404, so
 * the console shows its own not-found page (with a link home) instead of the API's JSON.
 */
@Module({
  providers: [
    { provide: CONSOLE_DIR, useFactory: () => process.env.CONSOLE_DIR ?? defaultConsoleDir() },
  ],
})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger('Console');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONSOLE_DIR) private readonly dir: string,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const indexFile = path.join(this.dir, 'index.html');
    const built = existsSync(indexFile);
    if (!built) this.logger.warn(`console not built (no ${indexFile}): run npm run build`);
    // Read once: the file is small and changes only with a new build (and a restart).
    const index = built ? readFileSync(indexFile) : null;
    const sendIndex = (reply: FastifyReply, status: number) => {
      secure(reply).header('cache-control', 'no-cache');
      if (!index) {
        return reply
          .code(status === 404 ? 404 : 503)
          .type('text/plain; charset=utf-8')
          .send('The web console is not built: run `npm run build` (the API is up: see /docs).');
      }
      return reply.code(status).type('text/html; charset=utf-8').send(index);
    };
    for (const url of CONSOLE_PATHS) fastify.get(url, (_request, reply) => sendIndex(reply, 200));
    // Fastify prefers every static or parametric route (the API's, the gateway's, /assets/*)
    // to this wildcard: it sees only the GETs nothing else serves.
    fastify.get('/*', (request, reply) =>
      isReservedPath(request.url) ? reply.callNotFound() : sendIndex(reply, 404),
    );
    if (built) {
      void fastify.register(fastifyStatic, {
        root: path.join(this.dir, 'assets'),
        prefix: '/assets/',
        decorateReply: false,
        preCompressed: true,
        immutable: true,
        maxAge: '365d',
        index: false,
        setHeaders: (reply) => void secure(reply),
      });
    }
  }
}
