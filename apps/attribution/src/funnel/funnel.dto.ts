import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, IsTimeZone, MaxLength } from 'class-validator';
import { AmountsPerCurrency } from '../shared/amounts-property';

export const FUNNEL_GROUPINGS = ['none', 'day', 'campaign', 'integration'] as const;
export type FunnelGrouping = (typeof FUNNEL_GROUPINGS)[number];

export class FunnelQueryDto {
  @ApiPropertyOptional({
    description: 'Only clicks made for, and postbacks sent to, this integration',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  integrationId?: string;

  @ApiPropertyOptional({ description: 'Only clicks of this campaign (and their conversions)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  campaign?: string;

  @ApiPropertyOptional({
    description:
      'Start, inclusive: ISO 8601 date (midnight in `tz`), date-time without offset (read in ' +
      '`tz`) or instant',
    example: '2026-11-01',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    description:
      'End, exclusive: ISO 8601 date (midnight in `tz`, so that day is not included), ' +
      'date-time without offset (read in `tz`) or instant',
    example: '2026-12-01',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    description:
      'IANA time zone the days are cut in (groupBy=day) and plain dates are read in (SPEC ' +
      'section 4, Funnel)',
    default: 'UTC',
    example: 'Europe/Moscow',
  })
  @IsOptional()
  @IsTimeZone({ message: 'tz must be an IANA time zone such as Europe/Moscow or UTC' })
  tz?: string;

  @ApiPropertyOptional({ enum: FUNNEL_GROUPINGS, default: 'none' })
  @IsOptional()
  @IsIn(FUNNEL_GROUPINGS)
  groupBy?: FunnelGrouping;
}

const RATE_DOC =
  'as a decimal fraction rounded to 4 places (0.25 = 25 %), or null when the denominator is 0. ' +
  'Numerator and denominator are counted over the same period, so a rate can exceed 1 when ' +
  'conversions come from clicks made before the period.';

export class FunnelRowDto {
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Group: null for groupBy=none, the day YYYY-MM-DD in `tz`, the campaign (null = clicks ' +
      'without one) or the integration id; null on the `other` row',
  })
  key!: string | null;
  @ApiPropertyOptional({
    type: Boolean,
    enum: [true],
    description:
      'Only on the one extra row of groupBy=campaign when more than 1,000 campaigns had clicks ' +
      'or conversions: the sums of every campaign without a row of its own (rates recomputed)',
  })
  other?: true;
  @ApiProperty({ description: 'Clicks made in the period' }) clicks!: number;
  @ApiProperty({ description: 'Clicks that registered in the period (unique clicks)' })
  registrations!: number;
  @ApiProperty({ description: 'Clicks that confirmed their email in the period (unique clicks)' })
  emailConfirmations!: number;
  @ApiProperty({ description: 'Clicks that made their first deposit in the period' })
  firstDeposits!: number;
  @ApiProperty({ description: 'Repeat deposits (RD events) in the period' }) redeposits!: number;
  @ApiProperty({ description: 'Clicks with at least one RD in the period' })
  uniqueRedepositors!: number;
  @ApiProperty({ description: 'Withdrawal events in the period' }) withdrawals!: number;
  @AmountsPerCurrency(
    "Sum of FD and RD amounts per currency (decimal strings, summed as SQL NUMERIC); 'XXX' " +
      'for amounts sent without any currency',
    { USD: '150.00' },
  )
  depositAmount!: Record<string, string>;
  @AmountsPerCurrency('Sum of commission amounts per currency, net of commission reversals')
  commissionAmount!: Record<string, string>;
  @ApiProperty({ description: 'Reversals (chargebacks, refunds, …) that occurred in the period' })
  reversals!: number;
  @AmountsPerCurrency('Deposit amounts reversed in the period, positive, per currency', {
    USD: '50.00',
  })
  reversedAmount!: Record<string, string>;
  @AmountsPerCurrency('depositAmount minus reversedAmount, per currency', { USD: '100.00' })
  netDepositAmount!: Record<string, string>;
  @ApiProperty({ type: Number, nullable: true, description: `registrations / clicks, ${RATE_DOC}` })
  click2reg!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: `firstDeposits / registrations, ${RATE_DOC}`,
  })
  reg2fd!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: `uniqueRedepositors / firstDeposits, ${RATE_DOC}`,
  })
  fd2rd!: number | null;
}

export class FunnelDto {
  @ApiProperty({
    type: [FunnelRowDto],
    description:
      'One row per group, sorted by key; groupBy=campaign: at most 1,000 rows, most clicks ' +
      'first, then one `other` row when rows were cut. Clicks count in the period they were ' +
      'made, conversions in the period they occurred (when the partner reported them).',
  })
  rows!: FunnelRowDto[];
}
