import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** SPEC section 4: list routes take `limit` (≤ 500, default 100) and `cursor`. */
export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 100;

/**
 * `limit` and `cursor` of a list route whose default page is `defaultSize` (SPEC section 4;
 * section 9: list endpoints are bounded), for a query DTO to extend. A bad `limit` is a 400 with
 * `field: "limit"` (the validation pipe); a cursor the API did not hand out is a 400 naming
 * `cursor` where it is decoded (decodePageCursor).
 */
export function PageQueryOf(defaultSize: number) {
  class PageQuery {
    @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: defaultSize })
    @IsOptional()
    @Type(() => Number)
    @IsInt({ message: 'limit must be a whole number' })
    @Min(1, { message: `limit must be between 1 and ${MAX_PAGE_SIZE}` })
    @Max(MAX_PAGE_SIZE, { message: `limit must be between 1 and ${MAX_PAGE_SIZE}` })
    limit?: number;

    @ApiPropertyOptional({ description: 'The nextCursor of the previous page.' })
    @IsOptional()
    @IsString()
    @MaxLength(512)
    cursor?: string;
  }
  return PageQuery;
}

/** `limit` (default 100) and `cursor` of a list route (see PageQueryOf). */
export class PageQuery extends PageQueryOf(DEFAULT_PAGE_SIZE) {}
