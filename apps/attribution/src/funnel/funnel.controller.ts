import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { FunnelDto, FunnelQueryDto } from './funnel.dto';
import { FunnelQuery } from './funnel.query';

@ApiTags('funnel')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/funnel')
export class FunnelController {
  constructor(private readonly funnel: FunnelQuery) {}

  @Get()
  @ApiOperation({
    summary: 'Funnel analytics: clicks → registrations → email confirmations → FD → RD',
    description:
      'Stages count unique clicks; redeposits and withdrawals count events. Clicks are counted ' +
      'in the period they were made, conversions in the period they occurred. Rates are decimal ' +
      'fractions (4 places) or null when the denominator is 0.',
  })
  @ApiOkResponse({ type: FunnelDto })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
  get(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: FunnelQueryDto,
  ): Promise<FunnelDto> {
    return this.funnel.run(account.id, query);
  }
}
