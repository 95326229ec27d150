/**
 * Sends planned postbacks at a fixed rate (an open loop: a slow or missing tracker does not slow
 * the sender down) and records each answer: acknowledged means `200 {"status":"accepted","id"}`
 * (SPEC section 4: sent only once the postback is durable); anything else, a refused
 * connection, a reset or no answer within the timeout, leaves the postback unacknowledged.
 */
import * as http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlannedPostback } from './traffic-plan';

export interface Answer {
  /** When the request was sent and answered, ms since the load started. */
  sentAt: number;
  answeredAt: number;
  /** The HTTP status, or the socket error's code (`ECONNREFUSED`, `ECONNRESET`, `timeout`). */
  outcome: string;
  /** The postback id of an acknowledged postback. */
  id: string | null;
}

export interface LoadOptions {
  baseUrl: string;
  ratePerSecond: number;
  timeoutMs: number;
  /** Most requests in flight at once; beyond it the sender falls behind its rate. */
  maxInFlight: number;
}

const TICK_MS = 5;

export class FixedRateLoad {
  /** Answer per seq (1-based), filled as answers arrive. */
  readonly answers: Array<Answer | undefined> = [];
  sent = 0;
  startedAt = 0;
  private inFlight = 0;
  private readonly agent: http.Agent;

  constructor(
    private readonly plan: readonly PlannedPostback[],
    private readonly options: LoadOptions,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  }

  /** Milliseconds since the load started. */
  now(): number {
    return performance.now() - this.startedAt;
  }

  /** Sends every planned postback, then waits for every answer. */
  async run(): Promise<void> {
    this.startedAt = performance.now();
    const pending: Array<Promise<void>> = [];
    while (this.sent < this.plan.length) {
      const due = Math.min(
        this.plan.length,
        Math.floor((this.now() / 1000) * this.options.ratePerSecond),
      );
      while (this.sent < due && this.inFlight < this.options.maxInFlight) {
        pending.push(this.send(this.plan[this.sent]));
        this.sent += 1;
      }
      await sleep(TICK_MS);
    }
    await Promise.all(pending);
    this.agent.destroy();
  }

  /** Acknowledged postbacks sent so far whose 200 arrived before `at` (ms since the start). */
  acknowledgedBefore(at: number): PlannedPostback[] {
    return this.plan.filter((p) => {
      const answer = this.answers[p.seq];
      return answer?.id != null && answer.answeredAt <= at;
    });
  }

  private send(postback: PlannedPostback): Promise<void> {
    this.inFlight += 1;
    const sentAt = this.now();
    return new Promise<void>((resolve) => {
      const done = (outcome: string, id: string | null) => {
        if (this.answers[postback.seq] === undefined) {
          this.answers[postback.seq] = { sentAt, answeredAt: this.now(), outcome, id };
          this.inFlight -= 1;
        }
        resolve();
      };
      const request = http.get(
        `${this.options.baseUrl}${postback.path}`,
        { agent: this.agent, timeout: this.options.timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error', null));
          response.on('end', () =>
            done(
              String(response.statusCode),
              response.statusCode === 200 ? acceptedId(chunks) : null,
            ),
          );
        },
      );
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
      );
      request.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? 'error', null));
    });
  }
}

function acceptedId(chunks: Buffer[]): string | null {
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      status?: string;
      id?: string;
    };
    return body.status === 'accepted' && typeof body.id === 'string' ? body.id : null;
  } catch {
    return null;
  }
}
