import { Injectable } from '@nestjs/common';

export type ReadinessCheck = () => Promise<void>;

/** Apps and libs register what must answer before the process counts as ready. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 2000): Promise<Record<string, string>> {
    const results: Record<string, string> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
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
}
