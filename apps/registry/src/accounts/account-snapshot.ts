import { AccountChangedPayload } from '@tracker/contracts';
import { EntityManager } from 'typeorm';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { AccountEntity } from './account.entity';

/** The full snapshot of `tracker.accounts.v1`: hashed keys only, revoked ones with `revokedAt`. */
export async function loadAccountSnapshot(
  manager: EntityManager,
  account: AccountEntity,
): Promise<AccountChangedPayload> {
  const keys = await manager.getRepository(ApiKeyEntity).find({
    where: { accountId: account.id },
    order: { createdAt: 'ASC', id: 'ASC' },
  });
  return {
    id: account.id,
    name: account.name,
    apiKeys: keys.map((key) => ({
      id: key.id,
      hash: key.hash,
      prefix: key.prefix,
      createdAt: key.createdAt.toISOString(),
      revokedAt: key.revokedAt?.toISOString() ?? null,
    })),
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
    disabled: account.disabled,
  };
}
