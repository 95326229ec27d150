import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { containsMaskedSecret, destinationProblem } from '@tracker/destinations';
import { FieldBadRequestException, PageQuery } from '@tracker/platform';
import { lockModelShared } from '@tracker/replay';
import { DataSource, EntityManager } from 'typeorm';
import { IntegrationEntity } from '../integrations/integration.entity';
import { enqueueDestinationSnapshot, enqueueTombstone } from '../outbox/outbox';
import { AcknowledgedChange } from '../outbox/acknowledged-change';
import { RegistryOutboxRelay } from '../outbox/outbox-relay';
import { REGISTRY_DB } from '../registry.database';
import { byCreatedAt, Page, readPage } from '../validation/page';
import { UUID_REGEX } from '../validation/registry-validators';
import { DestinationEntity } from './destination.entity';
import { toDestinationSnapshot } from './destination-views';

/**
 * Reads and changes an account's destinations. A change is checked against SPEC section 4
 * (`destinationProblem`), written with the destination's full snapshot to the outbox in one
 * transaction under the row's lock, and answers once Kafka acknowledged it. Another account's
 * destination is "not found".
 */
/** What a destination sends and where: the fields its save-time rules judge. */
function sendableContent(destination: DestinationEntity): string {
  const { method, url, headers, body, stages } = destination;
  return JSON.stringify([method, url, headers, body, stages]);
}

@Injectable()
export class DestinationChanges {
  constructor(
    @InjectDataSource(REGISTRY_DB) private readonly dataSource: DataSource,
    private readonly relay: RegistryOutboxRelay,
    private readonly acknowledged: AcknowledgedChange,
    @Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async create(destination: DestinationEntity): Promise<DestinationEntity> {
    this.check(destination);
    const seq = await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      await this.checkIntegration(manager, destination);
      await manager.getRepository(DestinationEntity).insert(destination);
      return enqueueDestinationSnapshot(manager, toDestinationSnapshot(destination));
    });
    await this.relay.publishAndWait([seq]);
    return destination;
  }

  /**
   * Applies `apply` to an owned destination, checks the result and saves it with its snapshot.
   * With `mustTakeEffect` (a disable) it commits only once Kafka acknowledged the snapshot, else
   * 503 with nothing changed (SPEC section 9, as for integrations).
   */
  async change(
    accountId: string,
    destinationId: string,
    apply: (destination: DestinationEntity) => void,
    options: { mustTakeEffect?: boolean } = {},
  ): Promise<DestinationEntity> {
    const work = async (manager: EntityManager) => {
      await lockModelShared(manager, 'registry');
      const destination = await this.lockOwned(manager, accountId, destinationId);
      const wasEnabled = destination.enabled;
      const integrationBefore = destination.integrationId;
      const contentBefore = sendableContent(destination);
      apply(destination);
      // Switching a destination off (or renaming one that is off) always works, even when its
      // stored content breaks a rule added since it was saved: otherwise it could not be stopped.
      if (destination.enabled || sendableContent(destination) !== contentBefore) {
        this.check(destination);
      }
      // Only a new integrationId is checked: an edit that leaves it alone always saves.
      if (destination.integrationId !== integrationBefore) {
        await this.checkIntegration(manager, destination);
      }
      const now = new Date();
      destination.updatedAt = now;
      if (destination.enabled && !wasEnabled) destination.activeSince = now;
      await manager.getRepository(DestinationEntity).save(destination);
      const seq = await enqueueDestinationSnapshot(manager, toDestinationSnapshot(destination));
      return { result: destination, seqs: [seq] };
    };
    if (options.mustTakeEffect) {
      return this.acknowledged.commit(this.dataSource, work, () => this.heal(destinationId));
    }
    const { result, seqs } = await this.dataSource.transaction(work);
    await this.relay.publishAndWait(seqs);
    return result;
  }

  /** Deletes an owned destination once Kafka acknowledged its tombstone, else 503 (SPEC 9). */
  async delete(accountId: string, destinationId: string): Promise<void> {
    await this.acknowledged.commit(
      this.dataSource,
      async (manager) => {
        await lockModelShared(manager, 'registry');
        await this.lockOwned(manager, accountId, destinationId);
        await manager.getRepository(DestinationEntity).delete({ id: destinationId });
        return {
          result: undefined,
          seqs: [await enqueueTombstone(manager, Topics.Destinations, destinationId)],
        };
      },
      () => this.heal(destinationId),
    );
  }

  /** Queues the destination's current snapshot (a tombstone when it is gone) for the relay. */
  private heal(destinationId: string): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      const destination = await manager
        .getRepository(DestinationEntity)
        .findOne({ where: { id: destinationId }, lock: { mode: 'pessimistic_write' } });
      return destination
        ? enqueueDestinationSnapshot(manager, toDestinationSnapshot(destination))
        : enqueueTombstone(manager, Topics.Destinations, destinationId);
    });
  }

  async get(accountId: string, destinationId: string): Promise<DestinationEntity> {
    const destination = UUID_REGEX.test(destinationId)
      ? await this.dataSource
          .getRepository(DestinationEntity)
          .findOne({ where: { id: destinationId, accountId } })
      : null;
    if (!destination) throw new NotFoundException('destination not found');
    return destination;
  }

  /**
   * One page of the account's destinations, oldest first (SPEC section 4 paging).
   * @throws FieldBadRequestException (400, field `cursor`) for a cursor not handed out here.
   */
  list(accountId: string, page: PageQuery): Promise<Page<DestinationEntity>> {
    const query = this.dataSource
      .getRepository(DestinationEntity)
      .createQueryBuilder('d')
      .where('d.accountId = :accountId', { accountId });
    return readPage(query, page, byCreatedAt<DestinationEntity>('d'));
  }

  private check(destination: DestinationEntity): void {
    if (containsMaskedSecret(destination.url, destination.headers)) {
      throw new FieldBadRequestException(
        containsMaskedSecret(destination.url, {}) ? 'url' : 'headers',
        'url or headers hold a masked value (•••) that matches no stored secret; send the secret itself (a masked secret is kept only while the URL keeps its scheme, host and port)',
      );
    }
    const problem = destinationProblem(destination, {
      allowPrivate: this.config.destinationsAllowPrivate,
      enabled: destination.enabled,
    });
    if (problem) throw new FieldBadRequestException(problem.field, problem.message);
  }

  /**
   * The destination's integration must be the account's. Its row is locked FOR SHARE until the
   * commit, so a concurrent integration deletion (FOR UPDATE) either waits and then sees this
   * destination (409), or went first and this finds nothing (400).
   */
  private async checkIntegration(manager: EntityManager, destination: DestinationEntity) {
    if (destination.integrationId === null) return;
    const found = await manager.getRepository(IntegrationEntity).findOne({
      select: { id: true },
      where: { id: destination.integrationId, accountId: destination.accountId },
      lock: { mode: 'pessimistic_read' },
    });
    if (!found) {
      throw new FieldBadRequestException(
        'integrationId',
        'integrationId: no such integration in this account',
      );
    }
  }

  private async lockOwned(
    manager: EntityManager,
    accountId: string,
    destinationId: string,
  ): Promise<DestinationEntity> {
    const destination = UUID_REGEX.test(destinationId)
      ? await manager.getRepository(DestinationEntity).findOne({
          where: { id: destinationId, accountId },
          lock: { mode: 'pessimistic_write' },
        })
      : null;
    if (!destination) throw new NotFoundException('destination not found');
    return destination;
  }
}
