import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Schema = Record<string, unknown>;

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, Schema> }>>;
  components?: { schemas?: Record<string, Schema> };
}

/**
 * An OpenAPI 3.0 schema as JSON Schema 2020-12, as an independent client reads it: `nullable`
 * adds `null` to the type (and nothing to an `enum`: a null the enum does not list is invalid),
 * `$ref`s point into `$defs`.
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === 'nullable' || key === 'example') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace('#/components/schemas/', '#/$defs/');
    } else out[key] = toJsonSchema(value);
  }
  const source = schema as Schema;
  if (source.nullable === true) {
    if (source.$ref || source.allOf || source.oneOf) {
      const { description, ...rest } = out;
      return { description, anyOf: [rest, { type: 'null' }] };
    }
    if (typeof source.type === 'string') out.type = [source.type, 'null'];
  }
  return out;
}

/**
 * Checks a real answer against the response schema `/docs-json` declares for that route:
 * returns the validation errors (empty when the answer is true to the document).
 */
export function answerErrors(
  document: OpenApiDocument,
  path: string,
  method: string,
  status: number,
  body: unknown,
): string[] {
  const response = document.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)];
  const declared = (response?.content as Record<string, { schema?: Schema }> | undefined)?.[
    'application/json'
  ]?.schema;
  if (!declared) return [`${method} ${path} declares no JSON answer for ${status}`];
  const ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  const validate = ajv.compile({
    ...(toJsonSchema(declared) as Schema),
    $defs: toJsonSchema(document.components?.schemas ?? {}),
  });
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
