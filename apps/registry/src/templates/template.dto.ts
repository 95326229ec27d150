import { ApiProperty } from '@nestjs/swagger';
import { EVENT_KINDS, EventKind } from '@tracker/contracts';

export const STRING_MAP_SCHEMA = {
  type: 'object',
  additionalProperties: { type: 'string' },
} as const;

export class TemplateEventResponse {
  @ApiProperty({ example: 'resale' })
  name: string;

  @ApiProperty({ example: 'Deposit' })
  label: string;

  @ApiProperty({ enum: EVENT_KINDS })
  kind: EventKind;

  @ApiProperty({ ...STRING_MAP_SCHEMA, example: { currency: 'usd' } })
  params: Record<string, string>;
}

export class TemplateResponse {
  @ApiProperty({ example: 'pocket-option-revshare' })
  id: string;

  @ApiProperty({ example: 'PocketOption RevShare' })
  name: string;

  @ApiProperty({ example: 'click_id' })
  clickIdParam: string;

  @ApiProperty({ example: 'sumdep', nullable: true, type: String })
  amountParam: string | null;

  @ApiProperty({ example: 'USD', nullable: true, type: String })
  defaultCurrency: string | null;

  @ApiProperty({ ...STRING_MAP_SCHEMA, example: { trader_id: 'trader_id' } })
  fieldParams: Record<string, string>;

  @ApiProperty({ type: [TemplateEventResponse] })
  events: TemplateEventResponse[];
}
