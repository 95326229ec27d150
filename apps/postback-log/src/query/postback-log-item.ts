import { ApiProperty } from '@nestjs/swagger';
import {
  CONVERSION_STAGES,
  ERROR_CAUSES,
  POSTBACK_ERROR_CODES,
  POSTBACK_STATUSES,
} from '@tracker/contracts';

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

/** The parameter at fault, the value received and why, so a console can explain it. */
export class PostbackLogErrorDetail {
  @ApiProperty({ type: String, nullable: true, example: 'currency' })
  param: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'usd?click_id=Xk3p9QmZ2rTa' })
  value: string | null;

  @ApiProperty({ enum: ERROR_CAUSES, example: 'second_question_mark' })
  cause: string;
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

  @ApiProperty({ type: String, enum: [...POSTBACK_ERROR_CODES, null], nullable: true })
  errorCode: string | null;

  @ApiProperty({ type: String, nullable: true })
  error: string | null;

  @ApiProperty()
  url: string;

  @ApiProperty()
  method: string;

  @ApiProperty({ type: Object, description: 'Query merged with body; the query wins.' })
  params: Record<string, unknown>;

  @ApiProperty({
    oneOf: [{ type: 'object' }, { type: 'string' }],
    nullable: true,
    description: 'The parsed body, or the raw text when it could not be parsed; null if none.',
  })
  body: unknown;

  @ApiProperty({ type: String, nullable: true, example: 'application/json' })
  contentType: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', nullable: true },
    example: { 'tracker.event': 'event', click_id: 'clickId', sumdep: 'amount', x: null },
    description:
      'What each parameter was used for: event, clickId, amount, currency, tid, status, ' +
      'field:<key>, or null ({} until judged).',
  })
  paramsUsedAs: Record<string, string | null>;

  @ApiProperty({ type: PostbackLogErrorDetail, nullable: true })
  errorDetail: PostbackLogErrorDetail | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  remoteAddress: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the attributed click was made (the delay to receivedAt).',
  })
  clickedAt: string | null;

  @ApiProperty({ type: PostbackLogConversion, nullable: true })
  conversion: PostbackLogConversion | null;
}

export class PostbackLogPageResponse {
  @ApiProperty({ type: [PostbackLogItem] })
  items: PostbackLogItem[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page.' })
  nextCursor: string | null;
}
