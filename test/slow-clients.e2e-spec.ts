/**
 * SPEC section 9: HTTP servers time out slow requests and idle connections. A client trickling
 * its headers or its body, or idling on a keep-alive connection, loses its socket.
 */
import { randomUUID } from 'node:crypto';
import * as net from 'node:net';
import { startTestApp, TestApp } from '@tracker/testing';
import { IngressModule } from '../apps/ingress/src/ingress.module';

interface Outcome {
  /** Milliseconds from the first byte sent to the socket's close. */
  closedAfterMs: number;
  /** What the server wrote before closing (e.g. a 408), if anything. */
  received: string;
}

/**
 * Opens a connection, writes `first`, then one more byte of `drip` every 100 ms, and resolves
 * when the server closes the connection (or rejects after `giveUpMs`).
 */
function trickle(port: number, first: string, drip: string, giveUpMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const started = Date.now();
    let received = '';
    let next = 0;
    const dripper = setInterval(() => {
      if (next < drip.length && !socket.destroyed) socket.write(drip[next++]);
    }, 100);
    const giveUp = setTimeout(() => {
      clearInterval(dripper);
      socket.destroy();
      reject(new Error(`socket still open after ${giveUpMs} ms; received ${received}`));
    }, giveUpMs);
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(dripper);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: Date.now() - started, received });
    });
    socket.write(first);
  });
}

describe('slow clients (SPEC section 9)', () => {
  let ingress: TestApp;
  let port: number;

  beforeAll(async () => {
    ingress = await startTestApp({
      name: 'slow-clients',
      features: [IngressModule],
      config: {
        httpRequestTimeoutMs: 1500,
        httpHeadersTimeoutMs: 800,
        httpKeepAliveTimeoutMs: 500,
      },
    });
    port = ingress.config.port;
  });

  afterAll(async () => {
    await ingress?.close();
  });

  it('closes a connection whose headers trickle in', async () => {
    const outcome = await trickle(
      port,
      'GET /health/live HTTP/1.1\r\nHost: x\r\n',
      `X-Slow: ${'a'.repeat(200)}`,
      10_000,
    );
    expect(outcome.closedAfterMs).toBeLessThan(3000);
  });

  it('closes a connection whose postback body trickles in', async () => {
    const body = `click_id=${'b'.repeat(300)}`;
    const outcome = await trickle(
      port,
      `POST /api/postbacks/${randomUUID()}/tracker-postback?tracker.event=reg HTTP/1.1\r\n` +
        `Host: x\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
      body,
      10_000,
    );
    // 30 s of drip would be needed to send it all: the request deadline cuts it at 1.5 s.
    expect(outcome.closedAfterMs).toBeLessThan(4000);
    expect(outcome.received).not.toMatch(/^HTTP\/1\.1 [25]\d\d/);
  });

  it('closes an idle keep-alive connection', async () => {
    const outcome = await trickle(
      port,
      'GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n',
      '',
      10_000,
    );
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200/);
    expect(outcome.closedAfterMs).toBeLessThan(3000);
  });
});
