import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CONVERSION_STAGES, type ConversionStage } from '@tracker/contracts';
import { PageQuery } from '@tracker/platform';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** Query string of GET /api/conversions; filters combine with AND (SPEC section 4). */
export class ListConversionsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  integrationId?: string;

  @ApiPropertyOptional({ example: 'Xk3p9QmZ2rTa' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  clickId?: string;

  @ApiPropertyOptional({ enum: CONVERSION_STAGES })
  @IsOptional()
  @IsIn(CONVERSION_STAGES)
  stage?: ConversionStage;

  @ApiPropertyOptional({ description: "The click's campaign" })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  campaign?: string;

  @ApiPropertyOptional({ description: 'Occurred at or after (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Occurred before (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

/** One recorded conversion (an attributed postback), reversals included. */
export class ConversionItem {
  @ApiProperty({ format: 'uuid', description: 'The conversion id (its ConversionRecorded id)' })
  id!: string;
  @ApiProperty({ format: 'uuid', description: 'The postback that was attributed' })
  postbackId!: string;
  @ApiProperty({ example: 'Xk3p9QmZ2rTa' })
  clickId!: string;
  @ApiProperty({ format: 'uuid' })
  integrationId!: string;
  @ApiProperty({ example: 'resale', description: 'The event name as sent (tracker.event)' })
  event!: string;
  @ApiProperty({ enum: CONVERSION_STAGES })
  stage!: ConversionStage;
  @ApiProperty({ type: Number, nullable: true, description: '1 = FD, 2 = first RD, …' })
  ordinal!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '50.00', description: 'Decimal string' })
  amount!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency!: string | null;
  @ApiProperty({ type: String, nullable: true })
  tid!: string | null;
  @ApiProperty({ type: String, nullable: true })
  campaign!: string | null;
  @ApiProperty({ type: String, nullable: true })
  source!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'For a reversal: the conversion id it cancels',
  })
  reverses!: string | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The reversal that cancelled this conversion, if any',
  })
  reversedBy!: string | null;
  @ApiProperty({ format: 'date-time', description: "The postback's receivedAt" })
  occurredAt!: string;
}

export class ConversionPage {
  @ApiProperty({ type: [ConversionItem] })
  items!: ConversionItem[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page.' })
  nextCursor!: string | null;
}
