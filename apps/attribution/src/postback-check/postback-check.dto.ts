import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CONVERSION_STAGES,
  ERROR_CAUSES,
  POSTBACK_ERROR_CODES,
  PROCESSED_POSTBACK_STATUSES,
} from '@tracker/contracts';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

/** A postback as the partner would send it (SPEC section 4, postback-check). */
export class PostbackCheckRequest {
  @ApiProperty({
    example:
      'https://tracker.example.com/api/postbacks/7878f1d1-3693-4d08-9c91-fa8a834e7abc/tracker-postback?tracker.event=resale&click_id=Xk3p9QmZ2rTa&sumdep=50',
    description:
      "The postback URL with the partner's parameters (absolute, or a path with its query); " +
      'a path naming another integration is a 400.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(16 * 1024)
  url: string;

  @ApiPropertyOptional({ enum: ['GET', 'POST'], default: 'GET' })
  @IsOptional()
  @IsIn(['GET', 'POST'])
  method?: 'GET' | 'POST';

  @ApiPropertyOptional({ description: 'The raw body text (POST).', example: 'sumdep=50' })
  @IsOptional()
  @IsString()
  @MaxLength(16 * 1024)
  body?: string;

  @ApiPropertyOptional({
    example: 'application/x-www-form-urlencoded',
    description: "The body's content type (default: JSON when it starts with '{', else form).",
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  contentType?: string;
}

export class CheckedParam {
  @ApiProperty({ example: 'sumdep' })
  name: string;
  @ApiProperty({ example: '50', description: 'The value as read (trimmed; first of a repeat)' })
  value: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'amount',
    description: 'event, clickId, amount, currency, tid, status, field:<key>, or null',
  })
  usedAs: string | null;
}

export class CheckedErrorDetail {
  @ApiProperty({ type: String, nullable: true })
  param: string | null;
  @ApiProperty({ type: String, nullable: true })
  value: string | null;
  @ApiProperty({ enum: ERROR_CAUSES })
  cause: string;
}

/** The verdict that postback would get now; nothing is recorded. */
export class PostbackCheckResponse {
  @ApiProperty({ enum: PROCESSED_POSTBACK_STATUSES })
  status: string;
  @ApiProperty({ type: String, enum: [...POSTBACK_ERROR_CODES, null], nullable: true })
  errorCode: string | null;
  @ApiProperty({ type: String, nullable: true })
  error: string | null;
  @ApiProperty({ type: CheckedErrorDetail, nullable: true })
  errorDetail: CheckedErrorDetail | null;
  @ApiProperty({ type: String, nullable: true })
  event: string | null;
  @ApiProperty({ type: String, nullable: true })
  clickId: string | null;
  @ApiProperty({ type: String, nullable: true, example: '50' })
  amount: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency: string | null;
  @ApiProperty({ type: String, nullable: true })
  tid: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  fields: Record<string, string>;
  @ApiProperty({ type: String, enum: [...CONVERSION_STAGES, null], nullable: true })
  stage: string | null;
  @ApiProperty({ type: Number, nullable: true })
  ordinal: number | null;
  @ApiProperty({ type: [CheckedParam] })
  params: CheckedParam[];
}
