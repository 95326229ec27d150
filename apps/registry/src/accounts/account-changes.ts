import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { Topics } from '@tracker/contracts';
import { lockModelShared } from '@tracker/replay';
import { DataSource, EntityManager } from 'typeorm';
import { DestinationEntity } from '../destinations/destination.entity';
import { IntegrationEntity } from '../integrations/integration.entity';
import { enqueueAccountSnapshot, enqueueTombstone, OutboxSeq } from '../outbox/outbox';
import { AcknowledgedChange } from '../outbox/acknowledged-change';
import { RegistryOutboxRelay } from '../outbox/outbox-relay';
import { REGISTRY_DB } from '../registry.database';
import { UUID_REGEX } from '../validation/registry-validators';
import { AccountEntity } from './account.entity';
import { loadAccountSnapshot } from './account-snapshot';

/**
 * Every account change: the rows and the account's snapshot in the outbox in one transaction,
 * then the answer waits until Kafka acknowledged the snapshot (other services authenticate
 * from it the moment the API returns).
 */
@Injectable()
export class AccountChanges {
  constructor(
    @InjectDataSource(apiDataSourceName(REGISTRY_DB)) private readonly dataSource: DataSource,
    private readonly relay: RegistryOutboxRelay,
    private readonly acknowledged: AcknowledgedChange,
  ) {}

  /** Creates an account; `apply` adds its first rows (e.g. the first API key). */
  async create<T>(
    account: AccountEntity,
    apply: (manager: EntityManager) => Promise<T>,
  ): Promise<T> {
    const { result, seq } = await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      await manager.getRepository(AccountEntity).insert(account);
      const result = await apply(manager);
      const seq = await enqueueAccountSnapshot(
        manager,
        await loadAccountSnapshot(manager, account),
      );
      return { result, seq };
    });
    await this.relay.publishAndWait([seq]);
    return result;
  }

  /**
   * Changes an existing account under its row lock (so snapshots of one account stay in order).
   * With `mustTakeEffect` (a key revocation, SPEC section 9) it commits only once Kafka
   * acknowledged the snapshot, else 503 with nothing changed.
   */
  async change<T>(
    accountId: string,
    apply: (manager: EntityManager, account: AccountEntity) => Promise<T>,
    options: { mustTakeEffect?: boolean } = {},
  ): Promise<T> {
    const work = async (manager: EntityManager) => {
      await lockModelShared(manager, 'registry');
      const account = await this.lock(manager, accountId);
      const result = await apply(manager, account);
      account.updatedAt = new Date();
      await manager.getRepository(AccountEntity).save(account);
      return { result, seqs: [await this.enqueueSnapshot(manager, account)] };
    };
    if (options.mustTakeEffect) {
      return this.acknowledged.commit(this.dataSource, work, () => this.heal(accountId));
    }
    const { result, seqs } = await this.dataSource.transaction(work);
    await this.relay.publishAndWait(seqs);
    return result;
  }

  /** Queues the account's current snapshot (a tombstone when it is gone) for the relay. */
  private heal(accountId: string): Promise<OutboxSeq> {
    return this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      const account = await manager
        .getRepository(AccountEntity)
        .findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      return account
        ? this.enqueueSnapshot(manager, account)
        : enqueueTombstone(manager, Topics.Accounts, accountId);
    });
  }

  private async enqueueSnapshot(
    manager: EntityManager,
    account: AccountEntity,
  ): Promise<OutboxSeq> {
    return enqueueAccountSnapshot(manager, await loadAccountSnapshot(manager, account));
  }

  /**
   * Deletes an account with its integrations and destinations: tombstones for all, the
   * account's own last.
   */
  async delete(accountId: string): Promise<void> {
    const seqs = await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      await this.lock(manager, accountId);
      const integrations = await manager
        .getRepository(IntegrationEntity)
        .find({ where: { accountId }, lock: { mode: 'pessimistic_write' } });
      const seqs: OutboxSeq[] = [];
      for (const integration of integrations) {
        seqs.push(await enqueueTombstone(manager, Topics.Integrations, integration.id));
      }
      const destinations = await manager
        .getRepository(DestinationEntity)
        .find({ where: { accountId }, lock: { mode: 'pessimistic_write' } });
      for (const destination of destinations) {
        seqs.push(await enqueueTombstone(manager, Topics.Destinations, destination.id));
      }
      await manager.getRepository(AccountEntity).delete({ id: accountId });
      seqs.push(await enqueueTombstone(manager, Topics.Accounts, accountId));
      return seqs;
    });
    await this.relay.publishAndWait(seqs);
  }

  private async lock(manager: EntityManager, accountId: string): Promise<AccountEntity> {
    const account = UUID_REGEX.test(accountId)
      ? await manager
          .getRepository(AccountEntity)
          .findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } })
      : null;
    if (!account) throw new NotFoundException('account not found');
    return account;
  }
}
