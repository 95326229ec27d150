import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { KeepOwnEntries } from '@tracker/platform';
import {
  IsOptional,
  IsString,
  MaxLength,
  registerDecorator,
  ValidationOptions,
} from 'class-validator';

/** `params`: an object whose values are strings or arrays of strings. */
function IsParameterMap(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isParameterMap',
      target: target.constructor,
      propertyName,
      options: {
        message: `${propertyName} must be an object of strings or string arrays`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.values(value).every(
            (v) =>
              typeof v === 'string' ||
              (Array.isArray(v) && v.every((item) => typeof item === 'string')),
          ),
      },
    });
}

export class RegisterClickDto {
  @ApiPropertyOptional({ description: 'Registration link id: the answer carries its URL' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  linkId?: string;

  @ApiPropertyOptional({ description: 'Integration id (when no link is given)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  integrationId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  campaign?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  source?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  subscriberId?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    description: 'Any other parameters to keep on the click',
  })
  @IsOptional()
  @IsParameterMap()
  @KeepOwnEntries()
  params?: Record<string, string | string[]>;
}

export class RegisteredClickDto {
  @ApiProperty({ example: '0Xk3p9QmZ2rTaB4c' })
  clickId!: string;

  @ApiPropertyOptional({
    type: String,
    description: "The link's URL with the click id; present only when linkId was given",
  })
  url?: string;
}
