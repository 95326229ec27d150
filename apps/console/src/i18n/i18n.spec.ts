import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { en } from './en';
import { ru } from './ru';

function keysOf(texts: object, prefix = ''): string[] {
  return Object.entries(texts).flatMap(([name, value]) =>
    typeof value === 'string' ? [`${prefix}${name}`] : keysOf(value as object, `${prefix}${name}.`),
  );
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sources(file);
    return /\.tsx?$/.test(name) && !name.endsWith('.spec.ts') ? [file] : [];
  });
}

describe('console texts', () => {
  it('has the same keys in Russian and English, none empty', () => {
    expect(keysOf(ru).sort()).toEqual(keysOf(en).sort());
    for (const texts of [en, ru]) {
      for (const key of keysOf(texts)) {
        const value = key
          .split('.')
          .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], texts);
        expect(`${key}: ${String(value).trim().length > 0}`).toBe(`${key}: true`);
      }
    }
  });

  it('has a text for every literal key the pages ask for', () => {
    const known = new Set(keysOf(en).map((key) => key.replace(/_(one|few|many|other)$/, '')));
    const missing: string[] = [];
    for (const file of sources(path.join(__dirname, '..'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z0-9_.]+)'/g)) {
        if (!known.has(match[1])) missing.push(`${path.basename(file)}: ${match[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
