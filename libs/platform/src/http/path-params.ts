import { Param, PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { CLICK_ID_PATTERN, EVENT_NAME_PATTERN, UUID_PATTERN } from '@tracker/contracts';
import { FieldBadRequestException } from './field-error';

/**
 * Checks one path parameter against its own format. SPEC section 9: API parameters are
 * decoded as data (createHttpApp's rewriteUrl turns invalid UTF-8 into U+FFFD) and only a
 * parameter that fails its own format is a `400`, naming it in `field`; a well-formed id that
 * is not there stays the route's `404`.
 */
export class PathParamFormatPipe implements PipeTransform<unknown, string> {
  constructor(
    private readonly name: string,
    private readonly format: RegExp,
    private readonly expected: string,
  ) {}

  transform(value: unknown): string {
    if (typeof value === 'string' && this.format.test(value)) return value;
    throw new FieldBadRequestException(this.name, `${this.name} must be ${this.expected}`);
  }
}

/**
 * The format a path parameter must have: `pattern` (ECMA-262, no flags) is both what the pipe
 * tests and what `/docs-json` publishes as the parameter's `schema.pattern`; `expected` ends the
 * 400's message ("id must be a UUID"); `example` is a well-formed value (its `schema.example`).
 */
export interface PathParamFormat {
  pattern: string;
  expected: string;
  example: string;
  /** OpenAPI `format`, where one exists (`uuid`). */
  format?: string;
}

/** Integration, destination, key, delivery and log item ids. */
export const UUID_FORMAT: PathParamFormat = {
  pattern: UUID_PATTERN,
  expected: 'a UUID',
  example: '7878f1d1-3693-4d08-9c91-fa8a834e7abc',
  format: 'uuid',
};

/** Click ids as minted (SPEC section 4: 10–16 of [0-9A-Za-z]). */
export const CLICK_ID_FORMAT: PathParamFormat = {
  pattern: CLICK_ID_PATTERN,
  expected: '10 to 16 characters of [0-9A-Za-z]',
  example: 'Xk3p9QmZ2rTa',
};

/** Event names (SPEC section 4: 1–64 of [A-Za-z0-9_.-]). */
export const EVENT_NAME_FORMAT: PathParamFormat = {
  pattern: EVENT_NAME_PATTERN,
  expected: '1 to 64 characters of [A-Za-z0-9_.-]',
  example: 'registration',
};

/** Registration link ids as minted (16 of [0-9A-Za-z]; older ones up to 64). */
export const LINK_ID_FORMAT: PathParamFormat = {
  pattern: '^[0-9A-Za-z]{1,64}$',
  expected: 'a registration link id ([0-9A-Za-z])',
  example: 'aZ3kP9qLmN2xW7tB',
};

/**
 * `@Param(name)` checked against `format` (PathParamFormatPipe), and the same format in the
 * OpenAPI document: the parameter's `schema.pattern` and `schema.example`, and a description
 * saying that another value is a 400 naming it. `documentErrorAnswers` reads that pattern to add
 * the 400 to the operation, so every format-checked parameter is documented by construction.
 */
export function FormattedPathParam(name: string, format: PathParamFormat): ParameterDecorator {
  const pipe = new PathParamFormatPipe(name, new RegExp(format.pattern), format.expected);
  const documented = ApiParam({
    name,
    required: true,
    schema: {
      type: 'string',
      pattern: format.pattern,
      ...(format.format ? { format: format.format } : {}),
      // Beside `schema` Nest's mapper drops a parameter's own `example`; the schema keeps it.
      example: format.example,
    },
    description: `Must be ${format.expected}; any other value is a 400 whose field is '${name}'.`,
  });
  return (target, key, index) => {
    Param(name, pipe)(target, key, index);
    // A parameter decorator runs once the method exists; its metadata goes on the method.
    const descriptor = key === undefined ? undefined : Object.getOwnPropertyDescriptor(target, key);
    if (key !== undefined && descriptor) documented(target, key, descriptor);
  };
}

/** A path parameter holding a uuid (integration, destination, key, delivery, log item ids). */
export function UuidParam(name: string): ParameterDecorator {
  return FormattedPathParam(name, UUID_FORMAT);
}

/** A path parameter holding a click id as minted (SPEC section 4: 10–16 of [0-9A-Za-z]). */
export function ClickIdParam(name: string): ParameterDecorator {
  return FormattedPathParam(name, CLICK_ID_FORMAT);
}

/** A path parameter holding an event name (SPEC section 4: 1–64 of [A-Za-z0-9_.-]). */
export function EventNameParam(name: string): ParameterDecorator {
  return FormattedPathParam(name, EVENT_NAME_FORMAT);
}

/** A path parameter holding a registration link id as minted (16 of [0-9A-Za-z]). */
export function LinkIdParam(name: string): ParameterDecorator {
  return FormattedPathParam(name, LINK_ID_FORMAT);
}
