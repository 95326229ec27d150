/**
 * Lets a replay's reader decode the next batch while earlier ones are still being written:
 * at most `limit` writes in flight; the first failure fails the next `add` and `drain`. Only
 * for writers whose batches commute (the postback log merges rows by id in any order).
 */
export class WriteBehind {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | null = null;

  constructor(private readonly limit: number) {}

  /** Starts `write` (its synchronous part runs now) once fewer than `limit` are in flight. */
  async add(write: () => Promise<void>): Promise<void> {
    while (this.inFlight.size >= this.limit) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const running: Promise<void> = write()
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => this.inFlight.delete(running));
    this.inFlight.add(running);
  }

  /** Resolves once every started write has finished; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}
