import { ApiProperty } from '@nestjs/swagger';
import { CONVERSION_STAGES, POSTBACK_ERROR_CODES, POSTBACK_STATUSES } from '@tracker/contracts';

export class PostbackLogConversion {
  @ApiProperty({ enum: CONVERSION_STAGES })
  stage: string;

  @ApiProperty({ type: Number, nullable: true, description: '1 = first deposit, 2 = first RD, …' })
  ordinal: number | null;

  @ApiProperty({ type: String, nullable: true, example: '50.00' })
  amount: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency: string | null;
}

/** One postback as the log shows it (SPEC section 4). */
export class PostbackLogItem {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  receivedAt: string;

  @ApiProperty({ format: 'uuid' })
  integrationId: string;

  @ApiProperty({ type: String, nullable: true, description: 'Last known name if deleted.' })
  integrationName: string | null;

  @ApiProperty({ type: String, nullable: true })
  event: string | null;

  @ApiProperty({ type: String, nullable: true })
  clickId: string | null;

  @ApiProperty({ enum: POSTBACK_STATUSES })
  status: string;

  @ApiProperty({ type: String, enum: POSTBACK_ERROR_CODES, nullable: true })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty()
  url: string;

  @ApiProperty()
  method: string;

  @ApiProperty({ type: Object, description: 'Query merged with body; the query wins.' })
  params: Record<string, unknown>;

  @ApiProperty({ type: PostbackLogConversion, nullable: true })
  conversion: PostbackLogConversion | null;
}

export class PostbackLogPageResponse {
  @ApiProperty({ type: [PostbackLogItem] })
  items: PostbackLogItem[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page.' })
  nextCursor: string | null;
}
