/** Waiting helpers for the benchmarks: they measure, so polling intervals are explicit. */

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `pollMs` until it resolves true; a rejection counts as not yet. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  pollMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(pollMs);
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}
