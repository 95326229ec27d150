import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

/**
 * Apps and libs register what must answer before the process counts as ready (`register`), and
 * components whose state readiness reports without depending on it (`registerComponent`, SPEC
 * section 4: a stopped projection worker shows in the body, not as a 503 of the public port).
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly components = new Map<string, ReadinessCheck>();

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

  /** `{name: 'up' | 'down: <reason>'}` of every check that gates readiness. */
  run(timeoutMs = 2000): Promise<Record<string, string>> {
    return runChecks(this.checks, timeoutMs);
  }

  /** The same for the informational components. */
  runComponents(timeoutMs = 2000): Promise<Record<string, string>> {
    return runChecks(this.components, timeoutMs);
  }
}

async function runChecks(
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
      } catch (error) {
        results[name] = `down: ${(error as Error).message}`;
      }
    }),
  );
  return results;
}
