import { Param, PipeTransform } from '@nestjs/common';
import { CLICK_ID_REGEX, EVENT_NAME_PATTERN, UUID_REGEX } from '@tracker/contracts';
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

/** A path parameter holding a uuid (integration, destination, key, delivery, log item ids). */
export function UuidParam(name: string): ParameterDecorator {
  return Param(name, new PathParamFormatPipe(name, UUID_REGEX, 'a UUID'));
}

/** A path parameter holding a click id as minted (SPEC section 4: 10–16 of [0-9A-Za-z]). */
export function ClickIdParam(name: string): ParameterDecorator {
  return Param(
    name,
    new PathParamFormatPipe(name, CLICK_ID_REGEX, '10 to 16 characters of [0-9A-Za-z]'),
  );
}

/** A path parameter holding an event name (SPEC section 4: 1–64 of [A-Za-z0-9_.-]). */
export function EventNameParam(name: string): ParameterDecorator {
  return Param(
    name,
    new PathParamFormatPipe(
      name,
      new RegExp(EVENT_NAME_PATTERN),
      '1 to 64 characters of [A-Za-z0-9_.-]',
    ),
  );
}

/** A path parameter holding a registration link id as minted (16 of [0-9A-Za-z]). */
export function LinkIdParam(name: string): ParameterDecorator {
  return Param(
    name,
    new PathParamFormatPipe(name, /^[0-9A-Za-z]{1,64}$/, 'a registration link id ([0-9A-Za-z])'),
  );
}
