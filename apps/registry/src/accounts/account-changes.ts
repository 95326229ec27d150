import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { Topics } from '@tracker/contracts';
import { lockModelShared } from '@tracker/replay';
import { DataSource, EntityManager } from 'typeorm';
import { DestinationEntity } from '../destinations/destination.entity';
import { IntegrationEntity } from '../integrations/integration.entity';
import { toDestinationSnapshot } from '../destinations/destination-views';
import { loadIntegrationRecords, toIntegrationSnapshot } from '../integrations/integration-record';
import {
  enqueueAccountSnapshot,
  enqueueDestinationSnapshot,
  enqueueIntegrationSnapshot,
  enqueueTombstone,
  OutboxSeq,
} from '../outbox/outbox';
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
   * account's own last. Its keys and postback URLs stop working, so (SPEC section 9) it
   * commits only once Kafka acknowledged every tombstone; else 503 with nothing deleted, and
   * the current snapshots of all of them are queued again so the topics converge.
   * @throws NotFoundException for an unknown account; ServiceUnavailableException (503) when
   *   the broker did not acknowledge in time.
   */
  async delete(accountId: string): Promise<void> {
    const removed = { integrations: [] as string[], destinations: [] as string[] };
    await this.acknowledged.commit(
      this.dataSource,
      async (manager) => {
        await lockModelShared(manager, 'registry');
        await this.lock(manager, accountId);
        const integrations = await manager
          .getRepository(IntegrationEntity)
          .find({ where: { accountId }, lock: { mode: 'pessimistic_write' } });
        const seqs: OutboxSeq[] = [];
        for (const integration of integrations) {
          removed.integrations.push(integration.id);
          seqs.push(await enqueueTombstone(manager, Topics.Integrations, integration.id));
        }
        const destinations = await manager
          .getRepository(DestinationEntity)
          .find({ where: { accountId }, lock: { mode: 'pessimistic_write' } });
        for (const destination of destinations) {
          removed.destinations.push(destination.id);
          seqs.push(await enqueueTombstone(manager, Topics.Destinations, destination.id));
        }
        await manager.getRepository(AccountEntity).delete({ id: accountId });
        seqs.push(await enqueueTombstone(manager, Topics.Accounts, accountId));
        return { result: undefined, seqs };
      },
      () => this.healDeletion(accountId, removed),
    );
  }

  /**
   * After a refused deletion: queues the current snapshot (a tombstone when gone) of the
   * account and of every integration and destination the deletion touched.
   */
  private healDeletion(
    accountId: string,
    removed: { integrations: string[]; destinations: string[] },
  ): Promise<OutboxSeq[]> {
    return this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      const seqs: OutboxSeq[] = [];
      for (const id of removed.integrations) {
        const integration = await manager.getRepository(IntegrationEntity).findOne({
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        if (integration) {
          const [record] = await loadIntegrationRecords(manager, [integration]);
          seqs.push(await enqueueIntegrationSnapshot(manager, toIntegrationSnapshot(record)));
        } else {
          seqs.push(await enqueueTombstone(manager, Topics.Integrations, id));
        }
      }
      for (const id of removed.destinations) {
        const destination = await manager.getRepository(DestinationEntity).findOne({
          where: { id },
          lock: { mode: 'pessimistic_write' },
        });
        seqs.push(
          destination
            ? await enqueueDestinationSnapshot(manager, toDestinationSnapshot(destination))
            : await enqueueTombstone(manager, Topics.Destinations, id),
        );
      }
      const account = await manager
        .getRepository(AccountEntity)
        .findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      seqs.push(
        account
          ? await this.enqueueSnapshot(manager, account)
          : await enqueueTombstone(manager, Topics.Accounts, accountId),
      );
      return seqs;
    });
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
