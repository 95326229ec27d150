export interface EventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls an assertion until it passes or the deadline passes (read models are eventually
 * consistent); the last failure is rethrown so the test shows what was still wrong.
 */
export async function eventually<T>(
  assertion: () => T | Promise<T>,
  { timeoutMs = 15000, intervalMs = 50 }: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
