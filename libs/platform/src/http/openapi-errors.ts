import {
  OpenAPIObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';

/** Name of the error body's schema under `components.schemas`. */
export const API_ERROR_SCHEMA_NAME = 'ApiErrorBody';

/** The SPEC section 4 error body (`ApiError`, what ApiExceptionFilter answers) as a schema. */
export const API_ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer', example: 400, description: 'The HTTP status again.' },
    message: {
      type: 'string',
      example: 'id must be a UUID',
      description: 'Human-readable, naming the field at fault.',
    },
    field: {
      type: 'string',
      example: 'id',
      description:
        'The request field at fault when there is one, as the request names it: a path or ' +
        'query parameter (`id`, `limit`) or a body field (`baseUrl`, `headers.X-Token`).',
    },
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const ERROR_CONTENT = {
  'application/json': { schema: { $ref: `#/components/schemas/${API_ERROR_SCHEMA_NAME}` } },
};

/** Said of a well-formed id that matches nothing (SPEC section 4: never 403). */
export const NOT_FOUND_DESCRIPTION =
  "No such resource in this account: a well-formed id that does not exist, or another account's.";

function isReference(value: unknown): value is ReferenceObject {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

/** Path parameters that carry a `schema.pattern` (FormattedPathParam): their 400 is documented. */
function formattedPathParams(operation: OperationObject): string[] {
  return (operation.parameters ?? [])
    .filter((p): p is ParameterObject => !isReference(p) && p.in === 'path')
    .filter((p) => !isReference(p.schema) && typeof p.schema?.pattern === 'string')
    .map((p) => p.name);
}

/**
 * The error answers of every operation in an OpenAPI document, said once for all routes
 * (SPEC sections 4 and 9), returning a new document:
 * - each operation with a path parameter that has a format (a `schema.pattern`, as
 *   FormattedPathParam declares it) documents the `400` naming it in `field` — merged into the
 *   route's own 400 description when it has one — and the `404` of a well-formed id that is not
 *   there, where the route does not say it itself;
 * - every 4xx and 5xx answer without a body schema gets the error body's
 *   (`#/components/schemas/ApiErrorBody`: `{statusCode, message, field?}`).
 * Path parameters without a pattern (the public `/r/{linkId}` and postback URLs, whose malformed
 * ids are a `404` by SPEC section 4) get no 400. Applying it twice changes nothing.
 */
export function documentErrorAnswers(document: OpenAPIObject): OpenAPIObject {
  const out = structuredClone(document);
  out.components = {
    ...out.components,
    schemas: { ...out.components?.schemas, [API_ERROR_SCHEMA_NAME]: API_ERROR_SCHEMA },
  };
  for (const item of Object.values(out.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation) documentOperation(operation);
    }
  }
  return out;
}

function documentOperation(operation: OperationObject): void {
  const responses = operation.responses;
  const formatted = formattedPathParams(operation);
  if (formatted.length > 0) {
    const names = formatted.map((name) => `'${name}'`).join(' or ');
    const note = `The path parameter ${names} fails its format (see its pattern); field names it.`;
    const own = responses['400'];
    if (own === undefined) responses['400'] = { description: note };
    else if (!isReference(own) && !own.description.includes(note)) {
      own.description = own.description ? `${own.description.trimEnd()} ${note}` : note;
    }
    responses['404'] ??= { description: NOT_FOUND_DESCRIPTION };
  }
  for (const [status, response] of Object.entries(responses)) {
    if (!/^[45]\d\d$/.test(status) || isReference(response)) continue;
    (response as ResponseObject).content ??= structuredClone(ERROR_CONTENT);
  }
}
