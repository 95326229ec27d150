import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
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
import { CheckPostbackHandler } from './check-postback.handler';
import { PostbackCheckRequest, PostbackCheckResponse } from './postback-check.dto';

@ApiTags('integrations')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('api/integrations')
export class PostbackCheckController {
  constructor(private readonly check: CheckPostbackHandler) {}

  @Post(':id/postback-check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Dry run: the verdict a postback would get now, each parameter marked with its use',
    description:
      'Runs the same reading and rules as live postbacks against the stored clicks; records, ' +
      'counts and publishes nothing.',
  })
  @ApiOkResponse({ type: PostbackCheckResponse })
  @ApiBadRequestResponse({ description: 'Invalid request field, or a url of another integration' })
  @ApiNotFoundResponse({ description: 'No such integration in this account' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
  run(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Body() body: PostbackCheckRequest,
  ): Promise<PostbackCheckResponse> {
    return this.check.execute(account.id, id, body);
  }
}
