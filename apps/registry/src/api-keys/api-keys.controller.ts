import {
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
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
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { PageQuery, UuidParam } from '@tracker/platform';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull, Not } from 'typeorm';
import { AccountChanges } from '../accounts/account-changes';
import { REGISTRY_DB } from '../registry.database';
import { byCreatedAt, readPage } from '../validation/page';
import { UUID_REGEX } from '../validation/registry-validators';
import { ApiKeyListResponse, ApiKeyResponse, CreatedApiKeyResponse } from './api-key.dto';
import { ApiKeyEntity } from './api-key.entity';
import { generateApiKey } from './api-key-secret';

/** Why the last active key stays: without one the account can never sign in again. */
export const LAST_ACTIVE_KEY_MESSAGE =
  "the account's last active API key cannot be revoked; create another key first";

function toResponse(key: ApiKeyEntity): ApiKeyResponse {
  return {
    id: key.id,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

/** Key rotation for the calling account: list, issue (shown once), revoke. */
@ApiTags('api-keys')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/api-keys')
export class ApiKeysController {
  constructor(
    @InjectDataSource(apiDataSourceName(REGISTRY_DB)) private readonly dataSource: DataSource,
    private readonly accounts: AccountChanges,
  ) {}

  @Get()
  @ApiOperation({ summary: "List the account's API keys (never the keys themselves)" })
  @ApiOkResponse({ type: ApiKeyListResponse })
  @ApiBadRequestResponse({ description: 'limit or cursor is invalid (named in field).' })
  async list(
    @CurrentAccount() account: AccountChangedPayload,
    @Query() query: PageQuery,
  ): Promise<ApiKeyListResponse> {
    const keys = this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('k')
      .where('k.accountId = :accountId', { accountId: account.id });
    const page = await readPage(keys, query, byCreatedAt<ApiKeyEntity>('k'));
    return { items: page.items.map(toResponse), nextCursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({ summary: 'Issue a new API key (shown once); existing keys keep working' })
  @ApiCreatedResponse({ type: CreatedApiKeyResponse })
  async create(@CurrentAccount() account: AccountChangedPayload): Promise<CreatedApiKeyResponse> {
    const key = generateApiKey();
    const entity: ApiKeyEntity = {
      id: randomUUID(),
      accountId: account.id,
      hash: key.hash,
      prefix: key.prefix,
      createdAt: new Date(),
      revokedAt: null,
    };
    await this.accounts.change(account.id, (manager) =>
      manager.getRepository(ApiKeyEntity).insert(entity),
    );
    return { ...toResponse(entity), apiKey: key.secret };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a key; every service rejects it within a second',
    description: "The account's last active key cannot be revoked (409): create another first.",
  })
  @ApiNoContentResponse({ description: 'Revoked (also when it already was).' })
  @ApiNotFoundResponse({ description: 'No such key in this account.' })
  @ApiConflictResponse({
    description:
      "It is the account's last active key: revoking it would lock the account out for good. " +
      'Create another key first.',
  })
  @ApiServiceUnavailableResponse({
    description: 'Kafka did not acknowledge the revocation in time: the key still works (SPEC 9).',
  })
  async revoke(
    @CurrentAccount() account: AccountChangedPayload,
    @UuidParam('id') id: string,
  ): Promise<void> {
    await this.accounts.change(
      account.id,
      async (manager) => {
        const repository = manager.getRepository(ApiKeyEntity);
        const key = UUID_REGEX.test(id)
          ? await repository.findOne({ where: { id, accountId: account.id } })
          : null;
        if (!key) throw new NotFoundException('API key not found');
        if (key.revokedAt !== null) return;
        // The account row lock AccountChanges holds makes this count hold until the commit.
        const others = await repository.count({
          where: { accountId: account.id, revokedAt: IsNull(), id: Not(id) },
        });
        if (others === 0) throw new ConflictException(LAST_ACTIVE_KEY_MESSAGE);
        await repository.update({ id }, { revokedAt: new Date() });
      },
      { mustTakeEffect: true },
    );
  }
}
