import { Injectable, Logger } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

/** A check's failure whose message is already a short, safe reason for /health/ready. */
export class ReadinessFailure extends Error {
  override name = 'ReadinessFailure';
}

// Socket-level codes: the component cannot be reached at all.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);

// PostgreSQL SQLSTATEs a probe meets while the server is not (yet) usable.
const POSTGRES_REASONS: Record<string, string> = {
  '28P01': 'authentication failed',
  '28000': 'authentication failed',
  '3D000': 'database does not exist',
  '57P01': 'shutting down',
  '57P02': 'shutting down',
  '57P03': 'starting up',
  '53300': 'too many connections',
  '57014': 'timed out',
};

/**
 * A short reason for a failed check, never the raw error: a driver's message may name hosts,
 * users, file paths or a query (SPEC section 9: no secrets in answers). The raw error is logged.
 */
export function readinessReason(error: unknown): string {
  // Libraries below this one (libs/kafka) cannot import the class: they name their errors so.
  if (error instanceof ReadinessFailure || (error as Error | null)?.name === 'ReadinessFailure') {
    return (error as Error).message;
  }
  const { code, name, message } = (error ?? {}) as {
    code?: unknown;
    name?: string;
    message?: string;
  };
  if (message === 'timed out') return 'timed out';
  if (typeof code === 'string') {
    if (UNREACHABLE.has(code)) return 'unreachable';
    if (Object.hasOwn(POSTGRES_REASONS, code)) return POSTGRES_REASONS[code];
  }
  if (typeof name === 'string' && /^KafkaJS(Connection|NumberOfRetriesExceeded|Broker)/.test(name))
    return 'unreachable';
  if (typeof message === 'string' && /connection (terminated|ended)|not connected/i.test(message))
    return 'unreachable';
  return 'failing';
}

/**
 * Apps and libs register what must answer before the process counts as ready (`register`), and
 * components whose state readiness reports without depending on it (`registerComponent`, SPEC
 * section 4: a stopped projection worker shows in the body, not as a 503 of the public port).
 */
@Injectable()
export class ReadinessRegistry {
  private readonly logger = new Logger('Readiness');
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly components = new Map<string, ReadinessCheck>();
  /** The last raw failure logged per check, so a probe every few seconds logs it once. */
  private readonly lastFailure = new Map<string, string>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  registerComponent(name: string, check: ReadinessCheck): void {
    this.components.set(name, check);
  }

  /** Keeps a check's report but stops it gating readiness (e.g. Kafka where a spool stands in). */
  demote(name: string): void {
    const check = this.checks.get(name);
    if (!check) return;
    this.checks.delete(name);
    this.components.set(name, check);
  }

  /** `{check: "up" | "down: <short reason>"}` of every check that gates readiness; never throws. */
  run(timeoutMs = 2000): Promise<Record<string, string>> {
    return this.runAll(this.checks, timeoutMs);
  }

  /** The same for the informational components. */
  runComponents(timeoutMs = 2000): Promise<Record<string, string>> {
    return this.runAll(this.components, timeoutMs);
  }

  private async runAll(
    checks: Map<string, ReadinessCheck>,
    timeoutMs: number,
  ): Promise<Record<string, string>> {
    const results: Record<string, string> = {};
    await Promise.all(
      [...checks].map(async ([name, check]) => {
        try {
          await Promise.race([
            check(),
            new Promise<never>((_, reject) =>
              setTimeout(() => reject(new Error('timed out')), timeoutMs).unref(),
            ),
          ]);
          results[name] = 'up';
          this.lastFailure.delete(name);
        } catch (error) {
          results[name] = `down: ${readinessReason(error)}`;
          const raw = String((error as Error)?.message ?? error);
          if (this.lastFailure.get(name) !== raw) {
            this.lastFailure.set(name, raw);
            this.logger.warn(`readiness check ${name} failed: ${raw}`);
          }
        }
      }),
    );
    return results;
  }
}
