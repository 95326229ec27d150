import { ApiPropertyOptional } from '@nestjs/swagger';
import { POSTBACK_STATUSES, type PostbackStatus } from '@tracker/contracts';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;
/** SPEC section 9: parameter values up to 16 KiB are kept, so they can be looked up too. */
const MAX_VALUE_LENGTH = 16 * 1024;

/** Query string of GET /api/postback-logs; every filter is optional and they combine with AND. */
export class ListPostbackLogsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  integrationId?: string;

  @ApiPropertyOptional({ description: 'The tracker.event value, exactly as sent.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_VALUE_LENGTH)
  event?: string;

  @ApiPropertyOptional({ enum: POSTBACK_STATUSES })
  @IsOptional()
  @IsIn(POSTBACK_STATUSES)
  status?: PostbackStatus;

  @ApiPropertyOptional({ description: 'The click id exactly as the partner sent it.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_VALUE_LENGTH)
  clickId?: string;

  @ApiPropertyOptional({
    description: 'Case-insensitive substring of the click id, the URL or a parameter value.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  q?: string;

  @ApiPropertyOptional({ description: 'Received at or after (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Received before (ISO 8601).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
