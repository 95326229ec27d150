import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONED_EVENT_SCHEMAS, schemaName } from './event-schemas';
import type { JsonSchema } from './json-schema';

/** File name → schema, for every supported (type, version): `<Type>.v<N>.schema.json`. */
export function schemaFiles(): Map<string, JsonSchema> {
  return new Map(
    VERSIONED_EVENT_SCHEMAS.map(({ definition, schema }) => [
      `${schemaName(definition)}.schema.json`,
      schema,
    ]),
  );
}

/**
 * Writes the published JSON Schemas into `dir` (2-space JSON; the caller may run the repo's
 * formatter over them) and returns the paths written.
 */
export function writeSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return [...schemaFiles()].map(([fileName, schema]) => {
    const path = join(dir, fileName);
    writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
    return path;
  });
}
