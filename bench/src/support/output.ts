/** Console output shared by the benchmarks. */

export const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** A number with a fixed count of decimals (none by default). */
export const fmt = (n: number, digits = 0): string => n.toFixed(digits);
