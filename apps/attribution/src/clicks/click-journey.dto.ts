import { ApiProperty } from '@nestjs/swagger';
import { CONVERSION_STAGES, ConversionStage } from '@tracker/contracts';
import { AmountsPerCurrency } from '../shared/amounts-property';

export class ClickEventDto {
  @ApiProperty({ format: 'uuid', description: 'Id of the PostbackReceived event' })
  postbackId!: string;
  @ApiProperty({ description: 'Event name as sent (tracker.event)', example: 'resale' })
  event!: string;
  @ApiProperty({ enum: CONVERSION_STAGES })
  stage!: ConversionStage;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Deposit number of the click: 1 = FD, 2 = first RD, …; null for non-deposits',
  })
  ordinal!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '50.00', description: 'Decimal string' })
  amount!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'USD' })
  currency!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Partner transaction id (tracker.tid)',
  })
  tid!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description:
      'For a reversal (stage reversal, amount negated): the conversion id it cancels, i.e. ' +
      'the ConversionRecorded id of that postback; null otherwise',
  })
  reverses!: string | null;
  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;
}

export class ClickTotalsDto {
  @ApiProperty({ description: 'Deposits of the click (FD and RDs)' })
  deposits!: number;
  @AmountsPerCurrency('Sum of deposit amounts per currency, as decimal strings', { USD: '150.00' })
  depositAmount!: Record<string, string>;
  @ApiProperty({ description: 'Reversals (chargebacks, refunds) recorded for the click' })
  reversals!: number;
  @AmountsPerCurrency('Deposit amounts reversed, per currency, positive (as in the funnel)', {
    USD: '50.00',
  })
  reversedAmount!: Record<string, string>;
  @AmountsPerCurrency('depositAmount minus reversedAmount, per currency', { USD: '100.00' })
  netDepositAmount!: Record<string, string>;
}

export class ClickJourneyDto {
  @ApiProperty() clickId!: string;
  @ApiProperty({ type: String, nullable: true }) integrationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) linkId!: string | null;
  @ApiProperty({ type: String, nullable: true }) campaign!: string | null;
  @ApiProperty({ type: String, nullable: true }) source!: string | null;
  @ApiProperty({ type: String, nullable: true }) subscriberId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
  })
  params!: Record<string, string | string[]>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({
    enum: ['registration', 'email_confirmation', 'first_deposit', 'redeposit', null],
    nullable: true,
    description:
      'Furthest funnel stage reached (registration < email_confirmation < first_deposit < ' +
      'redeposit); null while the click has none. Withdrawals, commission and custom events ' +
      'do not move it.',
  })
  stage!: ConversionStage | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Custom fields set by postbacks (fields.<key> and fieldParams); the later wins',
  })
  fields!: Record<string, string>;
  @ApiProperty({ type: [ClickEventDto], description: 'Attributed postbacks, oldest first' })
  events!: ClickEventDto[];
  @ApiProperty({ type: ClickTotalsDto }) totals!: ClickTotalsDto;
}
