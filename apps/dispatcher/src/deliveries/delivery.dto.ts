import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQuery } from '@tracker/platform';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID } from 'class-validator';

export const DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export class ListDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'destinationId must be a UUID' })
  destinationId?: string;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: DeliveryStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  clickId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created at or after.' })
  @IsOptional()
  @IsDateString({}, { message: 'from must be an ISO 8601 date' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Created before.' })
  @IsOptional()
  @IsDateString({}, { message: 'to must be an ISO 8601 date' })
  to?: string;
}

export class DeliveryRequestView {
  @ApiProperty({ nullable: true, type: String })
  method: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Secrets masked.' })
  url: string | null;
}

export class DeliveryItem {
  @ApiProperty({ format: 'uuid', description: 'Also the Idempotency-Key sent.' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  destinationId: string;

  @ApiProperty({ format: 'uuid' })
  conversionId: string;

  @ApiProperty()
  clickId: string;

  @ApiProperty()
  stage: string;

  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: DeliveryStatus;

  @ApiProperty()
  attempts: number;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastAttemptAt: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  nextAttemptAt: string | null;

  @ApiProperty({ nullable: true, type: Number })
  responseStatus: number | null;

  @ApiProperty({ nullable: true, type: String, description: 'First 1 KiB.' })
  responseBody: string | null;

  @ApiProperty({ nullable: true, type: String })
  error: string | null;

  @ApiProperty({ type: DeliveryRequestView })
  request: DeliveryRequestView;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class DeliveryPage {
  @ApiProperty({ type: [DeliveryItem] })
  items: DeliveryItem[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class DeliveryAttemptView {
  @ApiProperty()
  attempt: number;

  @ApiProperty({ format: 'date-time' })
  attemptedAt: string;

  @ApiProperty({ example: { method: 'GET', url: 'https://…', bodySize: 0 } })
  request: { method: string; url: string; bodySize: number };

  @ApiProperty({ nullable: true, type: Number })
  responseStatus: number | null;

  @ApiProperty({ nullable: true, type: String })
  responseBody: string | null;

  @ApiProperty({ nullable: true, type: String })
  error: string | null;

  @ApiProperty()
  durationMs: number;

  @ApiProperty({ enum: ['delivered', 'retrying', 'failed'] })
  outcome: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  nextAttemptAt: string | null;
}

export class DeliveryDetail extends DeliveryItem {
  @ApiProperty({ type: [DeliveryAttemptView] })
  history: DeliveryAttemptView[];
}
