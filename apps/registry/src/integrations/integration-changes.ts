import { FieldBadRequestException, PageQuery } from '@tracker/platform';
import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { apiDataSourceName } from '@tracker/database';
import { Topics } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { lockModelShared } from '@tracker/replay';
import { DataSource, EntityManager } from 'typeorm';
import {
  enqueueIntegrationSnapshot,
  enqueueTombstone,
  SnapshotTooLargeError,
} from '../outbox/outbox';
import { AcknowledgedChange } from '../outbox/acknowledged-change';
import { RegistryOutboxRelay } from '../outbox/outbox-relay';
import { REGISTRY_DB } from '../registry.database';
import { DestinationEntity } from '../destinations/destination.entity';
import { IntegrationEventEntity } from '../integration-events/integration-event.entity';
import { RegistrationLinkEntity } from '../registration-links/registration-link.entity';
import { byCreatedAt, Page, readPage } from '../validation/page';
import { PARAM_NAME_REGEX, UUID_REGEX } from '../validation/registry-validators';
import { IntegrationResponse } from './integration.dto';
import { IntegrationEntity } from './integration.entity';
import {
  IntegrationRecord,
  loadIntegrationRecords,
  toIntegrationSnapshot,
} from './integration-record';
import { snapshotTooLargeMessage } from './integration-limits';
import { toIntegrationView } from './integration-views';

/** How many destination names a refused deletion lists before "and N more". */
const NAMED_DESTINATIONS = 10;

/**
 * Why an integration that destinations still name cannot go: they would point at nothing (and
 * fail every later save), so the user decides where their conversions go instead.
 */
export function destinationsInUseMessage(names: readonly string[]): string {
  const shown = names.slice(0, NAMED_DESTINATIONS).map((name) => `'${name}'`);
  const rest = names.length - shown.length;
  const list = rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
  return names.length === 1
    ? `destination ${list} sends this integration's conversions; change or delete it first`
    : `destinations ${list} send this integration's conversions; change or delete them first`;
}

/** Registration link ids as newLinkId mints them (letters and digits). */
const LINK_ID_FORMAT = /^[0-9A-Za-z]{1,64}$/;

/**
 * Reads and changes an account's integrations. A change writes its rows and the integration's
 * full snapshot to the outbox in one transaction, under the integration's row lock (so one
 * integration's snapshots are sequenced in commit order), and answers once Kafka acknowledged.
 * Another account's integration is "not found", never "forbidden".
 */
@Injectable()
export class IntegrationChanges {
  constructor(
    @InjectDataSource(apiDataSourceName(REGISTRY_DB)) private readonly dataSource: DataSource,
    private readonly relay: RegistryOutboxRelay,
    private readonly acknowledged: AcknowledgedChange,
    @Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /**
   * `base`, or `base (2)`, `base (3)`, … when the account already has an integration of that
   * name: a template connected twice (the catalogue's button pressed again) stays two
   * integrations a marketer can tell apart in every list.
   */
  async freeName(accountId: string, base: string): Promise<string> {
    const taken: Array<{ name: string }> = await this.dataSource
      .getRepository(IntegrationEntity)
      .createQueryBuilder('i')
      .select('i.name', 'name')
      .where('i.accountId = :accountId', { accountId })
      .andWhere('(i.name = :base OR starts_with(i.name, :prefix))', { base, prefix: `${base} (` })
      .getRawMany();
    const names = new Set(taken.map((row) => row.name));
    if (!names.has(base)) return base;
    let n = 2;
    while (names.has(`${base} (${n})`)) n += 1;
    return `${base} (${n})`;
  }

  async create(
    integration: IntegrationEntity,
    apply: (manager: EntityManager) => Promise<void>,
  ): Promise<IntegrationResponse> {
    const seq = await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      await manager.getRepository(IntegrationEntity).insert(integration);
      await apply(manager);
      return this.enqueueSnapshot(manager, integration);
    });
    await this.relay.publishAndWait([seq]);
    return this.get(integration.accountId, integration.id);
  }

  /**
   * Applies a change to an owned integration; `apply` may edit the entity, which is then saved.
   * It runs under the integration's row lock, so a count it checks (integration-limits.ts) holds.
   * With `mustTakeEffect` (a disable, SPEC section 9) it commits only once Kafka acknowledged the
   * snapshot, else 503 with nothing changed; otherwise it answers after the relay published it.
   * @param options.grows the request field that adds to the integration (`events`,
   *   `registrationLinks`): a snapshot that would outgrow one Kafka message is a 400 naming it.
   * @throws NotFoundException when the integration is not this account's;
   *   SnapshotTooLargeError / FieldBadRequestException (400) when the snapshot would not fit.
   */
  async change<T>(
    accountId: string,
    integrationId: string,
    apply: (manager: EntityManager, integration: IntegrationEntity) => Promise<T>,
    options: { mustTakeEffect?: boolean; grows?: string } = {},
  ): Promise<T> {
    const work = async (manager: EntityManager) => {
      await lockModelShared(manager, 'registry');
      const integration = await this.lockOwned(manager, accountId, integrationId);
      const result = await apply(manager, integration);
      integration.updatedAt = new Date();
      await manager.getRepository(IntegrationEntity).save(integration);
      return { result, seqs: [await this.enqueueSnapshot(manager, integration, options.grows)] };
    };
    if (options.mustTakeEffect) {
      return this.acknowledged.commit(this.dataSource, work, () => this.heal(integrationId));
    }
    const { result, seqs } = await this.dataSource.transaction(work);
    await this.relay.publishAndWait(seqs);
    return result;
  }

  /**
   * Deletes an owned integration once Kafka acknowledged its tombstone, else 503 (SPEC 9).
   * @throws NotFoundException when it is not this account's; ConflictException (409) naming the
   *   destinations whose `integrationId` is this one (enabled or not): they go first.
   */
  async delete(accountId: string, integrationId: string): Promise<void> {
    await this.acknowledged.commit(
      this.dataSource,
      async (manager) => {
        await lockModelShared(manager, 'registry');
        await this.lockOwned(manager, accountId, integrationId);
        // A destination save locks the integration row FOR SHARE while it checks it exists,
        // so under this FOR UPDATE no destination can come to name it before the commit.
        const users = await manager.getRepository(DestinationEntity).find({
          select: { name: true },
          where: { integrationId, accountId },
          order: { createdAt: 'ASC', id: 'ASC' },
        });
        if (users.length > 0) {
          throw new ConflictException(destinationsInUseMessage(users.map((d) => d.name)));
        }
        await manager.getRepository(IntegrationEntity).delete({ id: integrationId });
        return {
          result: undefined,
          seqs: [await enqueueTombstone(manager, Topics.Integrations, integrationId)],
        };
      },
      () => this.heal(integrationId),
    );
  }

  /** Queues the integration's current snapshot (a tombstone when it is gone) for the relay. */
  private heal(integrationId: string): Promise<string> {
    return this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'registry');
      const integration = await manager
        .getRepository(IntegrationEntity)
        .findOne({ where: { id: integrationId }, lock: { mode: 'pessimistic_write' } });
      return integration
        ? this.enqueueSnapshot(manager, integration)
        : enqueueTombstone(manager, Topics.Integrations, integrationId);
    });
  }

  async get(accountId: string, integrationId: string): Promise<IntegrationResponse> {
    return toIntegrationView(
      this.config.publicBaseUrl,
      await this.record(accountId, integrationId),
    );
  }

  /**
   * One page of the account's integrations, oldest first, keyset on (createdAt, id); events and
   * links are loaded for that page only.
   * @throws FieldBadRequestException (400, field `cursor`) for a cursor not handed out here.
   */
  async list(
    accountId: string,
    page: PageQuery,
  ): Promise<{ items: IntegrationResponse[]; nextCursor: string | null }> {
    const manager = this.dataSource.manager;
    const query = manager
      .getRepository(IntegrationEntity)
      .createQueryBuilder('i')
      .where('i.accountId = :accountId', { accountId });
    const { items, nextCursor } = await readPage(query, page, byCreatedAt<IntegrationEntity>('i'));
    const records = await loadIntegrationRecords(manager, items);
    return {
      items: records.map((record) => toIntegrationView(this.config.publicBaseUrl, record)),
      nextCursor,
    };
  }

  /** The integration with its events and links, or 404 when it is not this account's. */
  async record(accountId: string, integrationId: string): Promise<IntegrationRecord> {
    const manager = this.dataSource.manager;
    const integration = UUID_REGEX.test(integrationId)
      ? await manager
          .getRepository(IntegrationEntity)
          .findOne({ where: { id: integrationId, accountId } })
      : null;
    if (!integration) throw new NotFoundException('integration not found');
    const [record] = await loadIntegrationRecords(manager, [integration]);
    return record;
  }

  /**
   * One page of an owned integration's registration links, oldest first (SPEC section 4).
   * @throws NotFoundException when the integration is not this account's;
   *   FieldBadRequestException (400, field `cursor`) for a cursor not handed out here.
   */
  async linkPage(
    accountId: string,
    integrationId: string,
    page: PageQuery,
  ): Promise<Page<RegistrationLinkEntity>> {
    await this.owned(accountId, integrationId);
    const query = this.dataSource
      .getRepository(RegistrationLinkEntity)
      .createQueryBuilder('l')
      .where('l.integrationId = :integrationId', { integrationId });
    return readPage(query, page, {
      sort: 'l.createdAt',
      id: 'l.id',
      sortType: 'timestamptz',
      idType: 'text',
      idFormat: LINK_ID_FORMAT,
      cursorOf: (link) => ({ at: link.createdAt.toISOString(), id: link.id }),
    });
  }

  /**
   * One page of an owned integration's events in their order (SPEC section 4).
   * @throws NotFoundException when the integration is not this account's;
   *   FieldBadRequestException (400, field `cursor`) for a cursor not handed out here.
   */
  async eventPage(
    accountId: string,
    integrationId: string,
    page: PageQuery,
  ): Promise<Page<IntegrationEventEntity>> {
    await this.owned(accountId, integrationId);
    const query = this.dataSource
      .getRepository(IntegrationEventEntity)
      .createQueryBuilder('e')
      .where('e.integrationId = :integrationId', { integrationId });
    return readPage(query, page, {
      sort: 'e.position',
      id: 'e.name',
      sortType: 'integer',
      idType: 'text',
      idFormat: PARAM_NAME_REGEX,
      cursorOf: (event) => ({ at: String(event.position), id: event.name }),
    });
  }

  private async owned(accountId: string, integrationId: string): Promise<void> {
    const found =
      UUID_REGEX.test(integrationId) &&
      (await this.dataSource
        .getRepository(IntegrationEntity)
        .exists({ where: { id: integrationId, accountId } }));
    if (!found) throw new NotFoundException('integration not found');
  }

  private async lockOwned(
    manager: EntityManager,
    accountId: string,
    integrationId: string,
  ): Promise<IntegrationEntity> {
    const integration = UUID_REGEX.test(integrationId)
      ? await manager.getRepository(IntegrationEntity).findOne({
          where: { id: integrationId, accountId },
          lock: { mode: 'pessimistic_write' },
        })
      : null;
    if (!integration) throw new NotFoundException('integration not found');
    return integration;
  }

  private async enqueueSnapshot(
    manager: EntityManager,
    integration: IntegrationEntity,
    grows?: string,
  ): Promise<string> {
    const [record] = await loadIntegrationRecords(manager, [integration]);
    try {
      return await enqueueIntegrationSnapshot(manager, toIntegrationSnapshot(record));
    } catch (error) {
      if (grows === undefined || !(error instanceof SnapshotTooLargeError)) throw error;
      throw new FieldBadRequestException(grows, snapshotTooLargeMessage(grows, error.bytes));
    }
  }
}
