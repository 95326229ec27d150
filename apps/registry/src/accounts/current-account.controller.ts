import { Controller, Get, NotFoundException, UseGuards } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountChangedPayload } from '@tracker/contracts';
import { ApiKeyGuard, CurrentAccount } from '@tracker/directory';
import { DataSource } from 'typeorm';
import { REGISTRY_DB } from '../registry.database';
import { AccountResponse } from './account.dto';
import { AccountEntity } from './account.entity';

/** SPEC section 4: `GET /api/account`, the caller's own account as the console shows it. */
@ApiTags('accounts')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing, invalid or revoked API key.' })
@UseGuards(ApiKeyGuard)
@Controller('api/account')
export class CurrentAccountController {
  constructor(@InjectDataSource(REGISTRY_DB) private readonly dataSource: DataSource) {}

  /** Reads the registry's own row (not the cached snapshot), so a rename shows at once. */
  @Get()
  @ApiOperation({ summary: 'The account the API key belongs to' })
  @ApiOkResponse({ type: AccountResponse })
  async get(@CurrentAccount() caller: AccountChangedPayload): Promise<AccountResponse> {
    const account = await this.dataSource.getRepository(AccountEntity).findOneBy({ id: caller.id });
    // The key authenticated from a snapshot of an account deleted since: it is gone.
    if (!account) throw new NotFoundException('Account not found');
    return { id: account.id, name: account.name, createdAt: account.createdAt.toISOString() };
  }
}
