import { en } from '../../i18n/en';
import { ru } from '../../i18n/ru';
// The dispatcher's renderer and a recorded conversion: test-only imports (the console bundles
// only the macro list of libs/contracts; its tsconfig maps `@tracker/contracts` for the types of
// these, and vite has no such alias, so the bundle cannot reach it).
import { ConversionRecordedDefinition } from '../../../../../libs/contracts/src';
import {
  conversionMacroValues,
  renderTemplate,
} from '../../../../../libs/destinations/src/template-macros';
import { MACRO_HELP } from './macros';

/** A conversion with every value set, so each macro the renderer knows renders non-empty. */
const example = ConversionRecordedDefinition.example;
const values = conversionMacroValues({
  ...example,
  payload: {
    ...example.payload,
    tid: 'T-1',
    campaign: 'spring',
    source: 'tg',
    fields: { sample: 'field-value' },
    clickParams: { sample: 'click-value', fbclid: 'IwAR-sample' },
  },
});

/** The macro of a help line as a template uses it: a placeholder key becomes `sample`. */
function asTyped(written: string): string {
  return written.replace(/<[^>]+>/, 'sample');
}

describe('macro help (SPEC section 4, Outgoing postbacks)', () => {
  const shown = MACRO_HELP.map((entry) => entry.written);

  it('shows only macros the dispatcher renders', () => {
    const unrendered = shown.filter((macro) => {
      const rendered = renderTemplate(asTyped(macro), values, 'text');
      // Unknown: left as written; known by name but given no value: '' or 'undefined'.
      return rendered === asTyped(macro) || rendered === '' || rendered === 'undefined';
    });
    expect(unrendered).toEqual([]);
  });

  it('misses none of the macros the dispatcher renders', () => {
    const rendered = [
      ...Object.keys(values.simple).map((name) => `{${name}}`),
      ...Object.keys(values)
        .filter((family) => family !== 'simple')
        .map((family) => `{${family}.sample}`),
    ];
    expect(rendered.filter((macro) => !shown.map(asTyped).includes(macro))).toEqual([]);
  });

  it('says what each shown macro renders to, in every language', () => {
    for (const texts of [en, ru]) {
      const missing = MACRO_HELP.filter(({ descriptionKey }) => {
        const text = descriptionKey
          .split('.')
          .reduce<unknown>((node, name) => (node as Record<string, unknown>)?.[name], texts);
        return typeof text !== 'string' || text === '';
      });
      expect(missing).toEqual([]);
    }
  });
});
