import { BadRequestException, Logger } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsObject, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { ApiError, toApiError } from './api-exception.filter';
import { FieldBadRequestException } from './field-error';
import { createValidationPipe, KeepOwnEntries } from './validation';

class MapBody {
  @IsOptional()
  @IsObject()
  @KeepOwnEntries()
  map?: Record<string, unknown>;
}

describe('KeepOwnEntries (SPEC section 9: prototype member names are data)', () => {
  it('keeps keys class-transformer would drop, each an own property', async () => {
    const body = JSON.parse(
      '{"map":{"constructor":"c","toString":"t","hasOwnProperty":"h","__proto__":"p","a":"1"}}',
    );
    const result = (await createValidationPipe().transform(body, {
      type: 'body',
      metatype: MapBody,
    })) as MapBody;
    expect(Object.keys(result.map!).sort()).toEqual(
      ['__proto__', 'a', 'constructor', 'hasOwnProperty', 'toString'].sort(),
    );
    expect(result.map!.constructor).toBe('c');
    expect(Object.getPrototypeOf(result.map)).toBe(Object.prototype);
  });
});

class Line {
  @IsString()
  name!: string;
}

class ListBody {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => Line)
  lines?: Line[];
}

async function failureOf(value: unknown): Promise<ApiError> {
  try {
    await createValidationPipe().transform(value, { type: 'query', metatype: ListBody });
  } catch (error) {
    return toApiError(error, new Logger('test'));
  }
  throw new Error('expected a 400');
}

describe('validation errors name their field (SPEC section 4: errors may add "field")', () => {
  it('a query parameter out of bounds is a 400 with field "limit"', async () => {
    expect(await failureOf({ limit: '501' })).toEqual({
      statusCode: 400,
      message: 'limit must not be greater than 500',
      field: 'limit',
    });
    expect(await failureOf({ limit: 'ten' })).toMatchObject({ statusCode: 400, field: 'limit' });
  });

  it('a nested field is named by its path', async () => {
    expect(await failureOf({ lines: [{ name: 'a' }, { name: 7 }] })).toMatchObject({
      statusCode: 400,
      field: 'lines.1.name',
      message: 'lines.1.name must be a string',
    });
  });

  it('an unknown parameter is named too', async () => {
    expect(await failureOf({ limt: '5' })).toMatchObject({ statusCode: 400, field: 'limt' });
  });

  it('FieldBadRequestException keeps its field; a plain 400 has none', () => {
    const logger = new Logger('test');
    expect(toApiError(new FieldBadRequestException('url', 'url is bad'), logger)).toEqual({
      statusCode: 400,
      message: 'url is bad',
      field: 'url',
    });
    expect(toApiError(new BadRequestException('no field'), logger)).toEqual({
      statusCode: 400,
      message: 'no field',
    });
  });
});
