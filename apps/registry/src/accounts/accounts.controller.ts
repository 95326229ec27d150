import { Body, Controller, Delete, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminTokenGuard } from '@tracker/directory';
import { UuidParam } from '@tracker/platform';
import { randomUUID } from 'node:crypto';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { generateApiKey } from '../api-keys/api-key-secret';
import { CreateAccountDto, CreatedAccountResponse } from './account.dto';
import { AccountEntity } from './account.entity';
import { AccountChanges } from './account-changes';

/** Admin-only: creating and deleting accounts needs `Bearer $TRACKER_ADMIN_TOKEN`. */
@ApiTags('accounts')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong admin token.' })
@UseGuards(AdminTokenGuard)
@Controller('api/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountChanges) {}

  @Post()
  @ApiOperation({ summary: 'Create an account with its first API key (shown once)' })
  @ApiCreatedResponse({ type: CreatedAccountResponse })
  async create(@Body() body: CreateAccountDto): Promise<CreatedAccountResponse> {
    const now = new Date();
    const account: AccountEntity = {
      id: randomUUID(),
      name: body.name,
      disabled: false,
      createdAt: now,
      updatedAt: now,
    };
    const key = generateApiKey();
    await this.accounts.create(account, (manager) =>
      manager.getRepository(ApiKeyEntity).insert({
        id: randomUUID(),
        accountId: account.id,
        hash: key.hash,
        prefix: key.prefix,
        createdAt: now,
        revokedAt: null,
      }),
    );
    return { id: account.id, name: account.name, apiKey: key.secret };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an account, its keys and integrations (tombstones on the snapshot topics)',
  })
  @ApiNoContentResponse({ description: 'Deleted; its keys and postback URLs stop working.' })
  @ApiNotFoundResponse({ description: 'No such account.' })
  @ApiServiceUnavailableResponse({
    description: 'Kafka did not acknowledge the deletion in time: nothing was deleted (SPEC 9).',
  })
  async delete(@UuidParam('id') id: string): Promise<void> {
    await this.accounts.delete(id);
  }
}
