import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVENT_KINDS, EVENT_NAME_REGEX, EventKind } from '@tracker/contracts';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { STRING_MAP_SCHEMA, TemplateEventResponse } from '../templates/template.dto';
import { IsStringMap } from '../validation/registry-validators';

export class CreateIntegrationEventDto {
  @ApiProperty({ example: 'sale', description: '1-64 of [A-Za-z0-9_.-], case-sensitive.' })
  @IsString()
  @Matches(EVENT_NAME_REGEX, { message: 'name must be 1-64 characters of [A-Za-z0-9_.-]' })
  name: string;

  @ApiProperty({ enum: EVENT_KINDS })
  @IsIn(EVENT_KINDS, { message: `kind must be one of: ${EVENT_KINDS.join(', ')}` })
  kind: EventKind;

  @ApiPropertyOptional({ example: 'First deposit', description: 'Defaults to the name.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string;

  @ApiPropertyOptional({
    ...STRING_MAP_SCHEMA,
    example: { currency: 'usd' },
    description: 'Fixed parameters appended, in order, to the postback URL.',
  })
  @IsOptional()
  @IsStringMap({ reservedKeys: ['tracker.event'] })
  params?: Record<string, string>;
}

export class IntegrationEventResponse extends TemplateEventResponse {
  @ApiProperty({
    example:
      'https://tracker.example/api/postbacks/7878f1d1-3693-4d08-9c91-fa8a834e7abc/tracker-postback?tracker.event=resale&currency=usd',
  })
  postbackUrl: string;

  @ApiProperty({ description: 'Postbacks received for this event.' })
  receivedCount: number;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastReceivedAt: string | null;
}
