import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RegisterClickDto, RegisteredClickDto } from './register-click.dto';
import { RegisterClickHandler } from './register-click.handler';

type Query = Record<string, string | string[]>;

/** Query parameters the click stores in their own fields; the rest go to `params`. */
const NAMED_PARAMS = {
  campaign: 'campaign',
  source: 'source',
  subscriber: 'subscriberId',
} as const;

const first = (value: string | string[] | undefined): string | null =>
  (Array.isArray(value) ? value[0] : value) ?? null;

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
}

/** A Location header must be visible ASCII; anything else in a configured URL is escaped. */
const safeLocation = (url: string) =>
  url.replace(/[^\x21-\x7e]/gu, (char) => encodeURIComponent(char));

@ApiTags('clicks')
@Controller()
export class ClickController {
  constructor(private readonly registerClick: RegisterClickHandler) {}

  @Get('r/:linkId')
  @ApiOperation({ summary: 'Tracking redirect: mints a click and sends the visitor to the link' })
  @ApiParam({ name: 'linkId', description: 'Registration link id' })
  @ApiResponse({ status: 302, description: "To the link's final URL carrying the new click id" })
  @ApiNotFoundResponse({ description: 'Unknown link' })
  async redirect(
    @Param('linkId') linkId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const query = (request.query ?? {}) as Query;
    const named: Record<'campaign' | 'source' | 'subscriberId', string | null> = {
      campaign: first(query.campaign),
      source: first(query.source),
      subscriberId: first(query.subscriber),
    };
    // No prototype: a visitor's `__proto__=x` is a parameter like any other, kept as sent.
    const params: Query = Object.create(null) as Query;
    for (const name of Object.keys(query)) {
      if (!Object.hasOwn(NAMED_PARAMS, name)) params[name] = query[name];
    }
    const click = await this.registerClick.execute({
      accountId: null,
      linkId,
      integrationId: null,
      ...named,
      params,
      userAgent: header(request, 'user-agent'),
      remoteAddress: request.ip ?? null,
    });
    await reply.redirect(safeLocation(click.url!), 302);
  }

  @Post('api/clicks')
  @UseGuards(ApiKeyGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Register a click without a redirect (e.g. from a bot)' })
  @ApiCreatedResponse({ type: RegisteredClickDto, description: '`url` only when linkId is given' })
  @ApiUnauthorizedResponse({ description: 'Missing or invalid API key' })
  @ApiNotFoundResponse({ description: 'Link or integration not found in this account' })
  async create(
    @CurrentAccount() account: AccountChangedPayload,
    @Body() dto: RegisterClickDto,
    @Req() request: FastifyRequest,
  ): Promise<{ clickId: string; url?: string }> {
    const click = await this.registerClick.execute({
      accountId: account.id,
      linkId: dto.linkId ?? null,
      integrationId: dto.integrationId ?? null,
      campaign: dto.campaign ?? null,
      source: dto.source ?? null,
      subscriberId: dto.subscriberId ?? null,
      params: { ...(dto.params ?? {}) },
      userAgent: header(request, 'user-agent'),
      remoteAddress: request.ip ?? null,
    });
    return click.url === null
      ? { clickId: click.clickId }
      : { clickId: click.clickId, url: click.url };
  }
}
