import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { ConversionPage, ListConversionsQuery } from './conversions.dto';
import { ConversionsQuery } from './conversions.query';

@ApiTags('conversions')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/conversions')
export class ConversionsController {
  constructor(private readonly conversions: ConversionsQuery) {}

  @Get()
  @ApiOperation({
    summary: 'Recorded conversions, newest first (keyset pages)',
    description:
      'Every attributed postback, reversals included: a reversal names the conversion it ' +
      'cancels (reverses), and that conversion names it (reversedBy).',
  })
  @ApiOkResponse({ type: ConversionPage })
  @ApiBadRequestResponse({ description: 'A filter, limit or cursor is invalid (named).' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
  list(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: ListConversionsQuery,
  ): Promise<ConversionPage> {
    return this.conversions.page(account.id, query);
  }
}
