import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_SCHEMAS } from './event-schemas';
import { schemaFiles, writeSchemas } from './write-schemas';

const SCHEMAS_DIR = join(__dirname, '..', 'schemas');
const REGENERATE = 'UPDATE_SCHEMAS=1 npx jest libs/contracts/src/write-schemas.spec.ts';

/** Regenerates the files, formatted as the repo's `prettier --check` expects. */
function regenerate(): void {
  const written = writeSchemas(SCHEMAS_DIR);
  // The prettier CLI, not its API: the API loads ES modules, which Jest's CommonJS runtime cannot.
  const prettier = require.resolve('prettier/bin/prettier.cjs');
  execFileSync(process.execPath, [prettier, '--write', '--log-level', 'warn', ...written]);
}

describe('published JSON Schemas (libs/contracts/schemas)', () => {
  beforeAll(() => {
    if (process.env.UPDATE_SCHEMAS === '1') regenerate();
  });

  it(`match what the code generates (regenerate with: ${REGENERATE})`, () => {
    const expected = schemaFiles();
    const committed = readdirSync(SCHEMAS_DIR).filter((name) => name.endsWith('.json'));
    expect({ files: committed.sort() }).toEqual({ files: [...expected.keys()].sort() });
    for (const [fileName, schema] of expected) {
      const onDisk: unknown = JSON.parse(readFileSync(join(SCHEMAS_DIR, fileName), 'utf8'));
      expect({ [fileName]: onDisk }).toEqual({ [fileName]: schema });
    }
  });

  it('are one file per event type, named <Type>.v1.schema.json', () => {
    expect([...schemaFiles().keys()].sort()).toEqual(
      Object.keys(EVENT_SCHEMAS)
        .map((type) => `${type}.v1.schema.json`)
        .sort(),
    );
  });

  it('stand alone: a fresh validator compiles each and accepts its own examples', () => {
    for (const fileName of schemaFiles().keys()) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, fileName), 'utf8')) as {
        examples: unknown[];
      };
      const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      for (const example of schema.examples) expect(validate(example)).toBe(true);
    }
  });
});
