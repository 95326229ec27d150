import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got. */
export interface ReceivedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What to answer (after `delayMs`): a status and body, or `hang` to never answer (timeouts). */
export type ReceiverAnswer =
  { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A local HTTP server on 127.0.0.1 standing in for an ad platform or a bot API: it records every
 * request and answers per path prefix with a scripted sequence (the last answer repeats).
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, ReceiverAnswer[]>();
  private readonly hanging = new Set<http.ServerResponse>();
  private server: http.Server | null = null;
  port = 0;

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const url = request.url ?? '/';
        this.requests.push({
          method: request.method ?? 'GET',
          url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const answer = this.next(url);
        if (answer === 'hang') {
          this.hanging.add(response);
          return;
        }
        const send = () => {
          response.writeHead(answer.status, answer.headers ?? { 'content-type': 'text/plain' });
          response.end(answer.body ?? 'ok');
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Answers for requests whose path starts with `prefix`, in order; the last one repeats. */
  script(prefix: string, answers: ReceiverAnswer[]): void {
    this.scripts.set(prefix, [...answers]);
  }

  /** Requests whose path starts with `prefix`. */
  to(prefix: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.url.startsWith(prefix));
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private next(url: string): ReceiverAnswer {
    const prefix = [...this.scripts.keys()]
      .filter((candidate) => url.startsWith(candidate))
      .sort((a, b) => b.length - a.length)[0];
    const answers = prefix === undefined ? undefined : this.scripts.get(prefix);
    if (!answers || answers.length === 0) return { status: 200 };
    return answers.length > 1 ? answers.shift()! : answers[0];
  }
}
