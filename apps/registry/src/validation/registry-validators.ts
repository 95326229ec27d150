import { KeepOwnEntries } from '@tracker/platform';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';

/** Partner parameter names and custom field names: `click_id`, `sub1`, `trader_id`, … */
export const PARAM_NAME_REGEX = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_PARAM_VALUE_LENGTH = 256;
export const MAX_MAP_ENTRIES = 50;
export const UUID_REGEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface StringMapRules {
  /** Values must be parameter names too (fieldParams), not free text (event params). */
  valuesAreParamNames?: boolean;
  /** Keys no map may use, e.g. `tracker.event`, which the postback URL sets itself. */
  reservedKeys?: string[];
}

/** Why a value is not an acceptable `{name: value}` map, or null. */
export function stringMapProblem(value: unknown, rules: StringMapRules): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of strings';
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_MAP_ENTRIES) return `must have at most ${MAX_MAP_ENTRIES} entries`;
  for (const [key, item] of entries) {
    if (!PARAM_NAME_REGEX.test(key)) return `key '${key}' must be 1-64 of [A-Za-z0-9_.-]`;
    if (rules.reservedKeys?.includes(key)) return `key '${key}' is reserved`;
    if (typeof item !== 'string') return `.${key} must be a string`;
    if (rules.valuesAreParamNames && !PARAM_NAME_REGEX.test(item)) {
      return `.${key} must be 1-64 of [A-Za-z0-9_.-]`;
    }
    if (item.length > MAX_PARAM_VALUE_LENGTH) {
      return `.${key} must be at most ${MAX_PARAM_VALUE_LENGTH} characters`;
    }
  }
  return null;
}

/**
 * class-validator decorator for `Record<string, string>` fields, naming the bad entry; the map
 * is kept with every key as sent (`constructor`, `toString` included, see KeepOwnEntries).
 */
export function IsStringMap(rules: StringMapRules = {}, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    KeepOwnEntries()(target, propertyName);
    registerDecorator({
      name: 'isStringMap',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => stringMapProblem(value, rules) === null,
        defaultMessage: (args?: ValidationArguments) => {
          const problem = stringMapProblem(args?.value, rules) ?? 'is invalid';
          return problem.startsWith('.') ? `$property${problem}` : `$property ${problem}`;
        },
      },
    });
  };
}

/** class-validator decorator for a partner link (see `baseUrlProblem`). */
export function IsPartnerUrl(check: (value: string) => string | null, options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    const problemOf = (value: unknown) =>
      typeof value === 'string' ? check(value) : 'must be a string';
    registerDecorator({
      name: 'isPartnerUrl',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => problemOf(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `$property ${problemOf(args?.value) ?? 'is invalid'}`,
      },
    });
  };
}

/** The key of the first value of a `{name: value}` object that is not a string, or null. */
function firstNonStringKey(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  for (const [key, item] of Object.entries(value)) if (typeof item !== 'string') return key;
  return null;
}

/**
 * class-validator decorator for a map whose values must be strings (a destination's headers),
 * naming the first entry that is not: `headers.X-Num must be a string`. Without it a number or
 * an object reached the masking of secrets and answered 500. Whether it is an object at all is
 * `@IsObject()`'s to say.
 */
export function IsStringValues(options?: ValidationOptions) {
  return (target: object, propertyName: string) => {
    registerDecorator({
      name: 'isStringValues',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => firstNonStringKey(value) === null,
        defaultMessage: (args?: ValidationArguments) =>
          `$property.${firstNonStringKey(args?.value) ?? ''} must be a string`,
      },
    });
  };
}
