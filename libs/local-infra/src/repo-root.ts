import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PROJECT_NAME = 'postback-tracker';

/**
 * The monorepo root. Walks up from here because this file runs both from `libs/local-infra/src`
 * (jest) and from `dist/libs/local-infra/src` (compiled).
 */
export function findRepoRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (isProjectRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find the ${PROJECT_NAME} repository root above ${start}`);
    }
    dir = parent;
  }
}

function isProjectRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
    return parsed.name === PROJECT_NAME;
  } catch {
    return false;
  }
}
