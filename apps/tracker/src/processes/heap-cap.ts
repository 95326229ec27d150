/** The V8 old-space cap of each app process, as deploy/Dockerfile and the Kubernetes config set it. */
export const APP_HEAP_LIMIT_MB = 192;

/**
 * SPEC section 8, B5: at most 256 MB RSS per app process. Uncapped, V8 let attribution's heap
 * grow to 311–313 MB RSS under B6 (it collects lazily while memory is plentiful); the images
 * cap the old space at 192 MB and `npm start` now does too, unless the caller set a cap of its
 * own (Node flags or NODE_OPTIONS).
 */
export function heapCapArgs(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const capped = [...execArgv, ...nodeOptions.split(/\s+/)].some((flag) =>
    flag.startsWith('--max-old-space-size'),
  );
  return capped ? [] : [`--max-old-space-size=${APP_HEAP_LIMIT_MB}`];
}
