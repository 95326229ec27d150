/**
 * `npm run bench [-- <name>…]`: runs the benchmarks of SPEC section 8, each printing its figure
 * next to the reference measured in the same run. Each benchmark lives in `<name>.bench.ts`
 * and exports `run(): Promise<void>`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Benchmark {
  run(): Promise<void>;
}

function available(): string[] {
  return fs
    .readdirSync(__dirname)
    .filter((file) => /\.bench\.(js|ts)$/.test(file))
    .map((file) => file.replace(/\.bench\.(js|ts)$/, ''))
    .sort();
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const all = available();
  const chosen = names.length > 0 ? names : all;
  for (const name of chosen) {
    if (!all.includes(name)) {
      process.stderr.write(`unknown benchmark '${name}' (have: ${all.join(', ')})\n`);
      process.exit(2);
    }
  }
  for (const name of chosen) {
    process.stdout.write(`\n=== ${name} ===\n`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const benchmark = require(path.join(__dirname, `${name}.bench`)) as Benchmark;
    await benchmark.run();
  }
  process.exit(0);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
