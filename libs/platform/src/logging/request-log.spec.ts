import fastify from 'fastify';
import pino from 'pino';
import { Writable } from 'node:stream';
import { PinoNestLogger } from './pino-logger';
import { installRequestLog } from './request-log';

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}

async function serve(level: string) {
  const { lines, logger } = capture(level);
  const app = fastify({ requestIdHeader: 'x-request-id' });
  installRequestLog(app, logger);
  app.get('/items/:id', async () => ({ ok: true }));
  await app.ready();
  return { app, lines };
}

describe('request log', () => {
  it('writes one debug line per request with its id, route, status and duration', async () => {
    const { app, lines } = await serve('debug');
    await app.inject({ url: '/items/42?secret=x', headers: { 'x-request-id': 'req-1' } });
    await app.close();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 20,
      context: 'http',
      reqId: 'req-1',
      method: 'GET',
      route: '/items/:id',
      status: 200,
      msg: 'request completed',
    });
    expect(typeof lines[0].durationMs).toBe('number');
    expect(JSON.stringify(lines[0])).not.toContain('secret');
  });

  it('installs nothing at info, so the hot path pays nothing', async () => {
    const { app, lines } = await serve('info');
    await app.inject({ url: '/items/42' });
    await app.close();
    expect(lines).toHaveLength(0);
  });
});

describe('PinoNestLogger', () => {
  it('turns an object message into JSON fields and keeps plain strings as they are', () => {
    const { lines, logger } = capture('info');
    const nest = new PinoNestLogger(logger);
    nest.error(
      { msg: 'dead-lettering t[0]@1', correlationId: 'Click1', eventId: 'e-1' },
      undefined,
      'consumer:x',
    );
    nest.warn('plain text', 'ctx');
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'dead-lettering t[0]@1',
      correlationId: 'Click1',
      eventId: 'e-1',
      context: 'consumer:x',
    });
    expect(lines[1]).toMatchObject({ level: 40, msg: 'plain text', context: 'ctx' });
  });
});
