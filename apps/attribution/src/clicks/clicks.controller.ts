import { Controller, Get, NotFoundException, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { ClickIdParam } from '@tracker/platform';
import { ClickJourneyDto } from './click-journey.dto';
import { ClickJourneyQuery } from './click-journey.query';

@ApiTags('clicks')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/clicks')
export class ClicksController {
  constructor(private readonly journeys: ClickJourneyQuery) {}

  @Get(':clickId')
  @ApiOperation({ summary: 'A click and its journey through the funnel' })
  @ApiOkResponse({ type: ClickJourneyDto })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
  @ApiNotFoundResponse({ description: 'No such click for this account' })
  async get(
    @CurrentAccount() account: AccountChangedPayload,
    @ClickIdParam('clickId') clickId: string,
  ): Promise<ClickJourneyDto> {
    const journey = await this.journeys.find(account.id, clickId);
    if (!journey) throw new NotFoundException(`click '${clickId.slice(0, 64)}' not found`);
    return journey;
  }
}
