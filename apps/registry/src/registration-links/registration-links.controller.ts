import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { FieldBadRequestException, LinkIdParam, PageQuery, UuidParam } from '@tracker/platform';
import { EntityManager } from 'typeorm';
import { IntegrationChanges } from '../integrations/integration-changes';
import { IntegrationEntity } from '../integrations/integration.entity';
import { MAX_LINKS_PER_INTEGRATION, TOO_MANY_LINKS } from '../integrations/integration-limits';
import { toLinkView } from '../integrations/integration-views';
import { buildFinalUrl } from './final-url';
import { newLinkId } from './link-id';
import {
  CreateRegistrationLinkDto,
  RegistrationLinkListResponse,
  RegistrationLinkResponse,
} from './registration-link.dto';
import { RegistrationLinkEntity } from './registration-link.entity';

/** Partner links carrying the click id macro, and their tracking redirects (`/r/:id`). */
@ApiTags('registration-links')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@ApiNotFoundResponse({ description: 'No such integration (or link) in this account.' })
@UseGuards(ApiKeyGuard)
@Controller('api/integrations/:id/registration-links')
export class RegistrationLinksController {
  constructor(
    private readonly integrations: IntegrationChanges,
    @Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Add a partner link; the answer has the final and the tracking URL' })
  @ApiCreatedResponse({ type: RegistrationLinkResponse })
  @ApiBadRequestResponse({
    description:
      'baseUrl is not an absolute http(s) URL ≤ 2048 chars, or another field is invalid (named); ' +
      `or the integration already holds ${MAX_LINKS_PER_INTEGRATION} links or would outgrow ` +
      'one Kafka message (field registrationLinks).',
  })
  async create(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Body() body: CreateRegistrationLinkDto,
  ): Promise<RegistrationLinkResponse> {
    const change = async (manager: EntityManager, integration: IntegrationEntity) => {
      const links = manager.getRepository(RegistrationLinkEntity);
      // Counted under the integration's row lock: two concurrent adds cannot both pass.
      if ((await links.count({ where: { integrationId: id } })) >= MAX_LINKS_PER_INTEGRATION) {
        throw new FieldBadRequestException('registrationLinks', TOO_MANY_LINKS);
      }
      const entity: RegistrationLinkEntity = {
        id: newLinkId(),
        integrationId: id,
        name: body.name,
        baseUrl: body.baseUrl,
        finalUrl: buildFinalUrl(body.baseUrl, integration.clickIdParam),
        createdAt: new Date(),
      };
      await links.insert(entity);
      return entity;
    };
    const link = await this.integrations.change(account.id, id, change, {
      grows: 'registrationLinks',
    });
    return toLinkView(this.config.publicBaseUrl, link);
  }

  @Get()
  @ApiOperation({ summary: "The integration's registration links" })
  @ApiOkResponse({ type: RegistrationLinkListResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid (named in field).' })
  async list(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @Query() query: PageQuery,
  ): Promise<RegistrationLinkListResponse> {
    const page = await this.integrations.linkPage(account.id, id, query);
    return {
      items: page.items.map((link) => toLinkView(this.config.publicBaseUrl, link)),
      nextCursor: page.nextCursor,
    };
  }

  @Delete(':linkId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a link; its tracking URL answers 404 within a second' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiServiceUnavailableResponse({
    description: 'Kafka did not acknowledge the delete in time: nothing was changed (SPEC 9).',
  })
  async delete(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
    @LinkIdParam('linkId') linkId: string,
  ): Promise<void> {
    // Its tracking URL stops redirecting: a change that must take effect (SPEC section 9).
    await this.integrations.change(
      account.id,
      id,
      async (manager) => {
        const result = await manager
          .getRepository(RegistrationLinkEntity)
          .delete({ integrationId: id, id: linkId });
        if (!result.affected) throw new NotFoundException('registration link not found');
      },
      { mustTakeEffect: true },
    );
  }
}
