import {
  AMOUNT_PATTERN,
  CLICK_ID_PATTERN,
  CURRENCY_PATTERN,
  EVENT_KINDS,
  EVENT_NAME_PATTERN,
} from './vocabulary';

/**
 * A JSON Schema (draft 2020-12) as plain data, so it can be both compiled and published.
 *
 * Every schema here is self-contained (no `$ref`) and avoids `anyOf`/`oneOf`: nullable values
 * are `type: [T, 'null']`, which keeps validation fast and error messages precise.
 *
 * Objects do not forbid unknown properties (tolerant reader): adding an optional field is a
 * compatible change, and a consumer that is one deploy behind must not dead-letter it.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export const withDescription = (schema: JsonSchema, description: string): JsonSchema => ({
  ...schema,
  description,
});

export const nonEmptyString: JsonSchema = { type: 'string', minLength: 1 };
export const nullableString: JsonSchema = { type: ['string', 'null'] };
export const isoDateTime: JsonSchema = { type: 'string', format: 'date-time' };
export const nullableIsoDateTime: JsonSchema = { type: ['string', 'null'], format: 'date-time' };
export const uuid: JsonSchema = { type: 'string', format: 'uuid' };
export const nullableUuid: JsonSchema = { type: ['string', 'null'], format: 'uuid' };

export const clickId: JsonSchema = { type: 'string', pattern: CLICK_ID_PATTERN };
export const nullableAmount: JsonSchema = {
  type: ['string', 'null'],
  pattern: AMOUNT_PATTERN,
  maxLength: 64,
};
export const nullableCurrency: JsonSchema = { type: ['string', 'null'], pattern: CURRENCY_PATTERN };
export const eventName: JsonSchema = { type: 'string', pattern: EVENT_NAME_PATTERN };
export const eventKind: JsonSchema = { type: 'string', enum: [...EVENT_KINDS] };

/** `{ [name]: string }`, e.g. custom fields or an event's fixed postback parameters. */
export const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

/** `{ [name]: string | string[] }`: request parameters, a repeated one as an array. */
export const parameterMap: JsonSchema = {
  type: 'object',
  additionalProperties: { type: ['string', 'array'], items: { type: 'string' } },
};

/**
 * An object schema whose properties are all required unless listed in `optional`; keeps the
 * required list next to the properties so they cannot drift apart.
 */
export function objectSchema(
  properties: Record<string, JsonSchema>,
  optional: readonly string[] = [],
  type: 'object' | readonly ['object', 'null'] = 'object',
): JsonSchema {
  return {
    type: typeof type === 'string' ? type : [...type],
    required: Object.keys(properties).filter((name) => !optional.includes(name)),
    properties,
  };
}
