import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { VERSIONED_EVENT_SCHEMAS } from './event-schemas';
import type { AnyEvent } from './events';
import type { JsonSchema } from './json-schema';
import {
  AMOUNT_PATTERN,
  CLICK_ID_PATTERN,
  CURRENCY_PATTERN,
  EVENT_NAME_PATTERN,
  SHA256_HEX_PATTERN,
} from './vocabulary';

export type { AnyEvent } from './events';
export { EventTypes } from './events';

export type EventValidationResult = { ok: true; event: AnyEvent } | { ok: false; error: string };

/** A message that does not satisfy the event contract; the message names the field. */
export class ContractViolationError extends Error {
  override readonly name = 'ContractViolationError';
}

// allErrors off: the first error is enough for the message and validation stops early.
// strict on: a schema keyword ajv would silently ignore is a bug in this library.
const ajv = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true });
addFormats(ajv, ['date-time', 'uuid']);

interface CompiledSchema {
  validate: ValidateFunction;
  schema: JsonSchema;
}

// Compiled once at load: validation runs per message on the hot path.
const compiled = new Map<string, Map<number, CompiledSchema>>();
for (const { definition, schema } of VERSIONED_EVENT_SCHEMAS) {
  const versions = compiled.get(definition.type) ?? new Map<number, CompiledSchema>();
  versions.set(definition.version, { validate: ajv.compile(schema), schema });
  compiled.set(definition.type, versions);
}
const KNOWN_TYPES = [...compiled.keys()].join(', ');

/**
 * Checks a decoded message value against the contract: the envelope, then the payload of its
 * `type` at its `version`. The one entry point for producers (before publishing) and
 * consumers (before handling; a failure is a poison message for the DLQ).
 */
export function validateEvent(value: unknown): EventValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid(`event must be a JSON object (got ${describeValue(value)})`);
  }
  const { type, version } = value as { type?: unknown; version?: unknown };
  if (type === undefined) return invalid('type is required');
  if (typeof type !== 'string')
    return invalid(`type must be a string (got ${describeValue(type)})`);
  const versions = compiled.get(type);
  if (!versions) return invalid(`type must be one of ${KNOWN_TYPES} (got ${quote(type)})`);
  if (version === undefined) return invalid('version is required');
  const entry = typeof version === 'number' ? versions.get(version) : undefined;
  if (!entry) {
    const supported = [...versions.keys()];
    const expected = supported.length === 1 ? supported[0] : `one of ${supported.join(', ')}`;
    return invalid(`version must be ${expected} for ${type} (got ${describeValue(version)})`);
  }
  if (entry.validate(value)) return { ok: true, event: value as AnyEvent };
  return invalid(formatErrors(entry.validate.errors ?? [], value, entry.schema));
}

/** `validateEvent` for code that cannot go on without a valid event. */
export function assertValidEvent(value: unknown): AnyEvent {
  const result = validateEvent(value);
  if (!result.ok) throw new ContractViolationError(result.error);
  return result.event;
}

/**
 * Decodes a Kafka message value (UTF-8 JSON) and validates it. A null value is a tombstone
 * of a compacted topic; callers handle those before decoding.
 */
export function parseEvent(raw: string | Uint8Array | null): EventValidationResult {
  if (raw === null) return invalid('value is null (a tombstone, not an event)');
  // A view, not a copy: values can be large and this runs per message.
  const text =
    typeof raw === 'string'
      ? raw
      : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return invalid(`value is not valid JSON: ${(error as Error).message}`);
  }
  return validateEvent(value);
}

const invalid = (error: string): EventValidationResult => ({ ok: false, error });

const PATTERN_HINTS: Record<string, string> = {
  [AMOUNT_PATTERN]: 'a decimal string such as "-12.50"',
  [CURRENCY_PATTERN]: 'three upper-case letters (ISO 4217) such as "USD"',
  [CLICK_ID_PATTERN]: '10 to 16 characters of 0-9, A-Z, a-z',
  [EVENT_NAME_PATTERN]: '1 to 64 characters of A-Z, a-z, 0-9, "_", ".", "-"',
  [SHA256_HEX_PATTERN]: '64 lower-case hex digits',
};

const FORMAT_HINTS: Record<string, string> = {
  'date-time': 'an ISO 8601 date-time such as "2026-11-24T05:00:00.000Z"',
  uuid: 'a UUID',
};

function formatErrors(errors: ErrorObject[], root: unknown, schema: JsonSchema): string {
  const [first] = errors;
  if (!first) return 'event does not match its schema';
  const message = describeError(first, root);
  const condition = describeCondition(first, root, schema);
  return condition ? `${message} when ${condition}` : message;
}

function describeError(error: ErrorObject, root: unknown): string {
  const path = toFieldPath(error.instancePath);
  const subject = path || 'event';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${joinPath(path, String(params.missingProperty))} is required`;
    case 'type': {
      const expected = String(params.type).split(',').join(' or ');
      const actual = describeValue(valueAt(root, error.instancePath));
      return `${subject} must be ${expected} (got ${actual})`;
    }
    case 'pattern': {
      const pattern = String(params.pattern);
      const hint = PATTERN_HINTS[pattern] ? ` (${PATTERN_HINTS[pattern]})` : '';
      const actual = describeValue(valueAt(root, error.instancePath));
      return `${subject} must match pattern ${quote(pattern)}${hint} (got ${actual})`;
    }
    case 'format': {
      const format = String(params.format);
      return `${subject} must be ${FORMAT_HINTS[format] ?? `a valid ${format}`}`;
    }
    case 'const':
      return `${subject} must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const actual = describeValue(valueAt(root, error.instancePath));
      return `${subject} must be one of ${allowed.join(', ')} (got ${actual})`;
    }
    default:
      return `${subject} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * When the error comes from the `then`/`else` of a cross-field rule, names the value that
 * triggered it: "payload.stage is \"first_deposit\"" (the property its `if` looks at). The
 * rule is found from the error's schema path, as ajv stops before reporting the `if` itself.
 */
function describeCondition(error: ErrorObject, root: unknown, schema: JsonSchema): string | null {
  const branch = /^#(.*)\/(?:then|else)\//.exec(error.schemaPath);
  if (!branch) return null;
  const rule = valueAt(schema, branch[1]) as { if?: { properties?: object } } | undefined;
  const [property] = Object.keys(rule?.if?.properties ?? {});
  if (!property) return null;
  // Rules constrain direct properties, so the error is on a sibling of the `if` property.
  const objectPointer =
    error.keyword === 'required'
      ? error.instancePath
      : error.instancePath.slice(0, error.instancePath.lastIndexOf('/'));
  const pointer = `${objectPointer}/${escapePointer(property)}`;
  return `${toFieldPath(pointer)} is ${describeValue(valueAt(root, pointer))}`;
}

/** JSON Pointer ("/payload/events/0/name") to a field path ("payload.events[0].name"). */
function toFieldPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map(unescapePointer)
    .reduce((path, segment) => {
      if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(segment)) return joinPath(path, segment);
      return `${path}[${JSON.stringify(segment)}]`;
    }, '');
}

const joinPath = (path: string, name: string) => (path ? `${path}.${name}` : name);
const unescapePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const escapePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

function valueAt(root: unknown, pointer: string): unknown {
  if (!pointer) return root;
  let current = root;
  for (const segment of pointer.slice(1).split('/').map(unescapePointer)) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** A short, safe rendering of an offending value: messages end up in logs and DLQ headers. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    default:
      return typeof value;
  }
}

const MAX_QUOTED = 64;
function quote(text: string): string {
  const shown = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return JSON.stringify(shown);
}
