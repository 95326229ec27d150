/** The V8 old-space cap of each app process, as deploy/Dockerfile and the Kubernetes config set it. */
export const APP_HEAP_LIMIT_MB = 192;

/**
 * How far V8 lets the old space grow past what the last full collection kept, in percent (the
 * growing factor is 1 + this / 100), as the images set it.
 */
export const APP_HEAP_GROWING_PERCENT = 50;

/**
 * The V8 heap flags of each app process (SPEC section 8, B5 and B6).
 *
 * - Old-space cap: at most 256 MB RSS per app process. Uncapped, V8 let attribution's heap grow
 *   to 311–313 MB RSS under B6 (it collects lazily while memory is plentiful).
 * - Growing factor: under the cap V8 grew the old space only ~1.25× past the live ~40 MB, so
 *   attribution ran a full (mark-compact) collection about every second under B6: 71 in one box
 *   bench (`--trace-gc`), its collector threads 7–10% of both cores. Factor 1.5 (this): 46,
 *   attribution peak RSS 211 MB (195–208 before). Factor 2 ran 22 and saved the most CPU
 *   (attribution 183 → 137–139 µs per postback), but its attribution peaked at 216–247 MB RSS
 *   in nine runs, too near B5's 256; factor 3 came within 11 MB of it in one.
 *
 * Each flag is left out when the caller set it (Node flags or NODE_OPTIONS).
 */
export function appHeapArgs(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  const has = (name: string) => given.some((flag) => flag === name || flag.startsWith(`${name}=`));
  return [
    ...(has('--max-old-space-size') ? [] : [`--max-old-space-size=${APP_HEAP_LIMIT_MB}`]),
    ...(has('--heap-growing-percent')
      ? []
      : [`--heap-growing-percent=${APP_HEAP_GROWING_PERCENT}`]),
  ];
}
