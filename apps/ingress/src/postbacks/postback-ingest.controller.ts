import {
  Controller,
  Delete,
  Get,
  HttpCode,
  MethodNotAllowedException,
  Options,
  Param,
  Patch,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import {
  ApiConsumes,
  ApiExcludeEndpoint,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { postbackCommand } from './postback-route';
import { PostbackAccepted, ReceivePostbackHandler } from './receive-postback.handler';

class PostbackAcceptedDto implements PostbackAccepted {
  @ApiProperty({ enum: ['accepted'] })
  status!: 'accepted';

  @ApiProperty({ description: 'Id of the PostbackReceived event (the postback id in the log)' })
  id!: string;
}

/** The 429 of both postback routes, with the header that says when to come back. */
const RATE_LIMITED = {
  status: 429,
  description: 'Over the integration rate limit',
  headers: {
    'Retry-After': {
      description: 'Whole seconds until the integration takes the next postback',
      schema: { type: 'integer', minimum: 1 },
    },
  },
};

/**
 * The partner-facing endpoint: GET or POST, answered 200 once the postback is durable. These
 * declarations document the routes; PostbackRoute serves them straight from Fastify.
 */
@ApiTags('postbacks')
@Controller('api/postbacks')
export class PostbackIngestController {
  constructor(private readonly receive: ReceivePostbackHandler) {}

  @Get(':integrationId/tracker-postback')
  @ApiOperation({ summary: 'Receive a postback (parameters in the query string)' })
  @ApiParam({ name: 'integrationId', description: 'Integration id (UUID): the secret of the URL' })
  @ApiOkResponse({ type: PostbackAcceptedDto, description: 'Durable (Kafka or on-disk spool)' })
  @ApiNotFoundResponse({ description: 'Unknown or disabled integration, or malformed id' })
  @ApiResponse(RATE_LIMITED)
  @ApiResponse({ status: 503, description: 'Could not be made durable (spool full)' })
  receiveGet(
    @Param('integrationId') integrationId: string,
    @Req() request: FastifyRequest,
  ): Promise<PostbackAccepted> {
    return this.receive.execute(postbackCommand(integrationId, request));
  }

  @Post(':integrationId/tracker-postback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Receive a postback (form or flat JSON body; the query wins)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiParam({ name: 'integrationId', description: 'Integration id (UUID): the secret of the URL' })
  @ApiOkResponse({ type: PostbackAcceptedDto, description: 'Durable (Kafka or on-disk spool)' })
  @ApiNotFoundResponse({ description: 'Unknown or disabled integration, or malformed id' })
  @ApiResponse({ status: 413, description: 'Body larger than 16 KiB' })
  @ApiResponse(RATE_LIMITED)
  @ApiResponse({ status: 503, description: 'Could not be made durable (spool full)' })
  receivePost(
    @Param('integrationId') integrationId: string,
    @Req() request: FastifyRequest,
  ): Promise<PostbackAccepted> {
    return this.receive.execute(postbackCommand(integrationId, request));
  }

  @Options(':integrationId/tracker-postback')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Probe the postback URL (HEAD answers the same): records nothing',
    description:
      'Partner cabinets probe a URL before saving it. 200 for a known, enabled integration; ' +
      'no event, no log item, no receivedCount.',
  })
  @ApiParam({ name: 'integrationId', description: 'Integration id (UUID): the secret of the URL' })
  @ApiOkResponse({ description: 'The URL takes postbacks' })
  @ApiNotFoundResponse({ description: 'Unknown or disabled integration, or malformed id' })
  probe(@Param('integrationId') integrationId: string): Promise<void> {
    return this.receive.probe(integrationId);
  }

  // Declared so that the router knows them: PostbackRoute answers them 405.
  @Put(':integrationId/tracker-postback')
  @ApiExcludeEndpoint()
  put(): never {
    throw notAllowed();
  }

  @Patch(':integrationId/tracker-postback')
  @ApiExcludeEndpoint()
  patch(): never {
    throw notAllowed();
  }

  @Delete(':integrationId/tracker-postback')
  @ApiExcludeEndpoint()
  delete(): never {
    throw notAllowed();
  }
}

const notAllowed = () => new MethodNotAllowedException('use GET or POST');
