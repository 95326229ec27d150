import { PageQuery } from '@tracker/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { INTEGRATION_TEMPLATES } from '@tracker/contracts';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
  ValidateIf,
} from 'class-validator';
import { IntegrationEventResponse } from '../integration-events/integration-event.dto';
import { MAX_EVENTS_PER_INTEGRATION, MAX_LINKS_PER_INTEGRATION } from './integration-limits';
import { RegistrationLinkResponse } from '../registration-links/registration-link.dto';
import { STRING_MAP_SCHEMA } from '../templates/template.dto';
import { IsStringMap, PARAM_NAME_REGEX } from '../validation/registry-validators';

const TEMPLATE_IDS = INTEGRATION_TEMPLATES.map((template) => template.id);
const PARAM_NAME_MESSAGE = (field: string) => `${field} must be 1-64 characters of [A-Za-z0-9_.-]`;
const MAX_REVERSAL_STATUSES = 50;
/** A partner status as sent (trimmed): 1–64 characters, no surrounding whitespace. */
const STATUS_REGEX = /^\S(?:.{0,62}\S)?$/u;
/** Present in the body: `null` must fail for fields that cannot be cleared. */
const present = (_: object, value: unknown) => value !== undefined;

export class CreateIntegrationDto {
  @ApiProperty({ enum: TEMPLATE_IDS, example: 'pocket-option-revshare' })
  @IsIn(TEMPLATE_IDS, { message: `template must be one of: ${TEMPLATE_IDS.join(', ')}` })
  template: string;

  @ApiPropertyOptional({
    example: 'PocketOption RevShare',
    description: "Defaults to the template's.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'click_id', description: "Defaults to the template's." })
  @IsOptional()
  @Matches(PARAM_NAME_REGEX, { message: PARAM_NAME_MESSAGE('clickIdParam') })
  clickIdParam?: string;
}

export class UpdateIntegrationDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200 })
  @ValidateIf(present)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'sub1', description: 'Registration links are rebuilt with it.' })
  @ValidateIf(present)
  @IsString()
  @Matches(PARAM_NAME_REGEX, { message: PARAM_NAME_MESSAGE('clickIdParam') })
  clickIdParam?: string;

  @ApiPropertyOptional({ example: 'sumdep', nullable: true, type: String })
  @IsOptional()
  @IsString()
  @Matches(PARAM_NAME_REGEX, { message: PARAM_NAME_MESSAGE('amountParam') })
  amountParam?: string | null;

  @ApiPropertyOptional({ example: 'USD', nullable: true, type: String, description: 'ISO 4217.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z]{3}$/, { message: 'defaultCurrency must be 3 letters (ISO 4217)' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toUpperCase() : value,
  )
  defaultCurrency?: string | null;

  @ApiPropertyOptional({
    ...STRING_MAP_SCHEMA,
    example: { trader_id: 'trader_id' },
    description: 'Custom field ← postback parameter; replaces the whole map.',
  })
  @ValidateIf(present)
  @IsStringMap({ valuesAreParamNames: true })
  fieldParams?: Record<string, string>;

  @ApiPropertyOptional({ description: 'A disabled integration answers its postbacks with 404.' })
  @ValidateIf(present)
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    description: 'Extension: accepted postbacks per second (429 above); null = unlimited.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  rateLimitPerSecond?: number | null;

  @ApiPropertyOptional({
    example: 'status',
    description: "The parameter carrying the partner's status (SPEC section 5, Status updates).",
  })
  @ValidateIf(present)
  @IsString()
  @Matches(PARAM_NAME_REGEX, { message: PARAM_NAME_MESSAGE('statusParam') })
  statusParam?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['chargeback', 'refund'],
    description: 'Statuses (case-insensitive) that make a postback a reversal; replaces the list.',
  })
  @ValidateIf(present)
  @IsArray({ message: 'reversalStatuses must be an array of strings' })
  @ArrayMaxSize(MAX_REVERSAL_STATUSES, {
    message: `reversalStatuses must have at most ${MAX_REVERSAL_STATUSES} entries`,
  })
  @IsString({ each: true, message: 'reversalStatuses must be an array of strings' })
  @Matches(STATUS_REGEX, {
    each: true,
    message: 'each of reversalStatuses must be 1-64 characters without surrounding spaces',
  })
  reversalStatuses?: string[];

  @ApiPropertyOptional({
    example: 'transaction_id',
    nullable: true,
    type: String,
    description: "The partner's transaction-id parameter, read after tracker.tid; null = none.",
  })
  @IsOptional()
  @IsString()
  @Matches(PARAM_NAME_REGEX, { message: PARAM_NAME_MESSAGE('tidParam') })
  tidParam?: string | null;
}

export class IntegrationResponse {
  @ApiProperty({ format: 'uuid', description: 'Random UUID v4, the secret in the postback URLs.' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: TEMPLATE_IDS })
  template: string;

  @ApiProperty({ example: 'click_id' })
  clickIdParam: string;

  @ApiProperty({ example: 'sumdep', nullable: true, type: String })
  amountParam: string | null;

  @ApiProperty({ example: 'USD', nullable: true, type: String })
  defaultCurrency: string | null;

  @ApiProperty({ ...STRING_MAP_SCHEMA, example: { trader_id: 'trader_id' } })
  fieldParams: Record<string, string>;

  @ApiProperty()
  enabled: boolean;

  @ApiProperty({ nullable: true, type: Number, description: 'Extension; null = unlimited.' })
  rateLimitPerSecond: number | null;

  @ApiProperty({ example: 'status' })
  statusParam: string;

  @ApiProperty({ type: [String], example: ['chargeback', 'refund'] })
  reversalStatuses: string[];

  @ApiProperty({ example: 'transaction_id', nullable: true, type: String })
  tidParam: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiProperty({
    type: [IntegrationEventResponse],
    maxItems: MAX_EVENTS_PER_INTEGRATION,
    description: `Every event, in order (an integration holds at most ${MAX_EVENTS_PER_INTEGRATION}).`,
  })
  events: IntegrationEventResponse[];

  @ApiProperty({
    type: [RegistrationLinkResponse],
    maxItems: MAX_LINKS_PER_INTEGRATION,
    description:
      `Every registration link, oldest first (at most ${MAX_LINKS_PER_INTEGRATION}); ` +
      'GET /api/integrations/{id}/registration-links pages through them.',
  })
  registrationLinks: RegistrationLinkResponse[];
}

/** `GET /api/integrations` paging (SPEC section 9: list endpoints are bounded). */
export class ListIntegrationsQuery extends PageQuery {}

export class IntegrationListResponse {
  @ApiProperty({ type: [IntegrationResponse], description: 'Oldest first.' })
  items: IntegrationResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last page.',
  })
  nextCursor: string | null;
}
