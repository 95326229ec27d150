import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DESTINATION_METHODS, DESTINATION_STAGES } from '@tracker/contracts';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  ValidateIf,
} from 'class-validator';
import { KeepOwnEntries } from '@tracker/platform';
import { IsStringValues } from '../validation/registry-validators';

/** Present in the body: `null` must fail for fields that cannot be cleared. */
const present = (_: object, value: unknown) => value !== undefined;
const STRING_MAP = {
  type: 'object',
  additionalProperties: { type: 'string' },
} as const;

export class CreateDestinationDto {
  @ApiProperty({ example: 'Keitaro' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'Null or absent: every integration of the account.',
  })
  @IsOptional()
  @IsUUID('all', { message: 'integrationId must be a UUID' })
  integrationId?: string | null;

  @ApiProperty({ enum: DESTINATION_STAGES, isArray: true, example: ['first_deposit'] })
  @IsArray()
  @ArrayMaxSize(DESTINATION_STAGES.length * 2)
  @IsString({ each: true })
  stages: string[];

  @ApiProperty({ enum: DESTINATION_METHODS })
  @IsIn(DESTINATION_METHODS, { message: 'method must be GET or POST' })
  method: 'GET' | 'POST';

  @ApiProperty({ example: 'https://tracker.example/postback?subid={clickid}&payout={amount}' })
  @IsString()
  @Length(1, 4096)
  url: string;

  @ApiPropertyOptional({ ...STRING_MAP, example: { Authorization: 'Bearer …' } })
  @IsOptional()
  @IsObject()
  @IsStringValues()
  @KeepOwnEntries()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ nullable: true, type: String, description: 'POST only: body template.' })
  @IsOptional()
  @IsString()
  body?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateDestinationDto {
  @ApiPropertyOptional()
  @ValidateIf(present)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @IsOptional()
  @IsUUID('all', { message: 'integrationId must be a UUID' })
  integrationId?: string | null;

  @ApiPropertyOptional({ enum: DESTINATION_STAGES, isArray: true })
  @ValidateIf(present)
  @IsArray()
  @ArrayMaxSize(DESTINATION_STAGES.length * 2)
  @IsString({ each: true })
  stages?: string[];

  @ApiPropertyOptional({ enum: DESTINATION_METHODS })
  @ValidateIf(present)
  @IsIn(DESTINATION_METHODS, { message: 'method must be GET or POST' })
  method?: 'GET' | 'POST';

  @ApiPropertyOptional({ description: 'A masked secret sent back keeps the stored one.' })
  @ValidateIf(present)
  @IsString()
  @Length(1, 4096)
  url?: string;

  @ApiPropertyOptional({
    ...STRING_MAP,
    description: 'Replaces all headers; masked values keep the stored ones.',
  })
  @ValidateIf(present)
  @IsObject()
  @IsStringValues()
  @KeepOwnEntries()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ nullable: true, type: String })
  @IsOptional()
  @IsString()
  body?: string | null;

  @ApiPropertyOptional({ description: 'Enabling again: only later conversions are sent.' })
  @ValidateIf(present)
  @IsBoolean()
  enabled?: boolean;
}

export class DestinationResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  integrationId: string | null;

  @ApiProperty({ enum: DESTINATION_STAGES, isArray: true })
  stages: string[];

  @ApiProperty({ enum: DESTINATION_METHODS })
  method: 'GET' | 'POST';

  @ApiProperty({ description: 'Template; secrets shown as ••• plus their last 4 characters.' })
  url: string;

  @ApiProperty({ ...STRING_MAP, description: 'Secret values masked.' })
  headers: Record<string, string>;

  @ApiProperty({ nullable: true, type: String })
  body: string | null;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class DestinationListResponse {
  @ApiProperty({ type: [DestinationResponse] })
  items: DestinationResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

export class DestinationTemplateResponse {
  @ApiProperty({ example: 's2s-get' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: DESTINATION_METHODS })
  method: 'GET' | 'POST';

  @ApiProperty()
  url: string;

  @ApiProperty(STRING_MAP)
  headers: Record<string, string>;

  @ApiProperty({ nullable: true, type: String })
  body: string | null;

  @ApiProperty({ enum: DESTINATION_STAGES, isArray: true })
  stages: string[];
}

export class DestinationTestResponse {
  @ApiProperty({
    example: { method: 'GET', url: 'https://…', headers: {}, body: null },
    description: 'The rendered request, secrets masked.',
  })
  request: { method: string; url: string; headers: Record<string, string>; body: string | null };

  @ApiProperty({
    example: { status: 200, body: 'ok', error: null, durationMs: 84 },
    description: 'The answer (status null when none came), its first 1 KiB.',
  })
  response: {
    status: number | null;
    body: string | null;
    error: string | null;
    durationMs: number;
  };
}
