import { ApiPropertyOptional } from '@nestjs/swagger';
import { POSTBACK_STATUSES, type PostbackStatus } from '@tracker/contracts';
import { PageQueryOf } from '@tracker/platform';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';

/** SPEC section 4: a page of the log holds 50 postbacks unless `limit` says otherwise. */
export const DEFAULT_PAGE_SIZE = 50;
/** SPEC section 9: parameter values up to 16 KiB are kept, so they can be looked up too. */
const MAX_VALUE_LENGTH = 16 * 1024;

/** Query string of GET /api/postback-logs; every filter is optional and they combine with AND. */
export class ListPostbackLogsQuery extends PageQueryOf(DEFAULT_PAGE_SIZE) {
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
}
