import { Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
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
import { UuidParam } from '@tracker/platform';
import { DestinationTestResponse } from './destination.dto';
import { DestinationChanges } from './destination-changes';
import { SendTestPostback } from './send-test-postback';

@ApiTags('destinations')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/destinations')
export class DestinationTestController {
  constructor(
    private readonly destinations: DestinationChanges,
    private readonly sendTest: SendTestPostback,
  ) {}

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one sample conversion now; answers the request and the response' })
  @ApiOkResponse({ type: DestinationTestResponse })
  @ApiNotFoundResponse({ description: 'No such destination in this account.' })
  async test(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<DestinationTestResponse> {
    return this.sendTest.execute(await this.destinations.get(account.id, id));
  }
}
