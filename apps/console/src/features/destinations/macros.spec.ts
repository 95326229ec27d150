import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KEYED_MACROS, SIMPLE_MACROS } from './macros';

/** The dispatcher's list as written in libs/destinations (read as text: the console bundles no lib). */
function dispatcherList(name: string): string[] {
  const source = readFileSync(
    path.join(__dirname, '../../../../../libs/destinations/src/template-macros.ts'),
    'utf8',
  );
  const block = new RegExp(`export const ${name} = \\[([^\\]]*)\\]`).exec(source);
  if (!block) throw new Error(`${name} not found in template-macros.ts`);
  return [...block[1].matchAll(/'([^']+)'/g)].map((match) => match[1]);
}

describe('macro help', () => {
  it('lists exactly the macros the dispatcher renders', () => {
    expect([...SIMPLE_MACROS]).toEqual(dispatcherList('SIMPLE_MACROS'));
    expect(KEYED_MACROS.map((macro) => macro.split('.')[0])).toEqual(
      dispatcherList('KEYED_MACROS'),
    );
  });
});
