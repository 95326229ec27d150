import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
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

/**
 * Words a page may show as literal JSX: language names in their own language, field terms and
 * HTTP methods, and placeholders that are examples of what to type.
 */
const LITERAL_ALLOWED = new Set([
  'English',
  'Русский',
  'tid',
  'ID',
  'GET',
  'POST',
  'Authorization: Bearer …',
  'currency=usd',
  'https://pocketcustomer.com/register?…',
]);

/** JSX text and string-literal user-facing attributes of a .tsx file, as `file: text`. */
function literalTexts(file: string): string[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TSX,
  );
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) found.push(node.text.trim());
    if (
      ts.isJsxAttribute(node) &&
      ['aria-label', 'title', 'placeholder', 'alt', 'label'].includes(node.name.getText()) &&
      node.initializer &&
      ts.isStringLiteral(node.initializer) &&
      /\p{L}/u.test(node.initializer.text)
    ) {
      found.push(node.initializer.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found
    .filter((text) => !LITERAL_ALLOWED.has(text))
    .map((text) => `${path.basename(file)}: ${text}`);
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

  it('has no UI text written in the pages outside the translations', () => {
    const files = sources(path.join(__dirname, '..')).filter((file) => file.endsWith('.tsx'));
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap(literalTexts)).toEqual([]);
  });
});
