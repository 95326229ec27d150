import {
  AccountChangedPayload,
  assertValidEvent,
  createEvent,
  DestinationChangedPayload,
  IntegrationChangedPayload,
  Topics,
} from '@tracker/contracts';
import { EntityManager } from 'typeorm';
import { OutboxMessageEntity } from './outbox-message.entity';

/** Outbox sequence numbers of the rows a transaction wrote, for `RegistryOutboxRelay.publishAndWait`. */
export type OutboxSeq = string;

async function enqueue(
  manager: EntityManager,
  row: Pick<OutboxMessageEntity, 'topic' | 'key' | 'event'>,
): Promise<OutboxSeq> {
  // Checked before commit: an invalid snapshot fails the request instead of poisoning the relay.
  if (row.event) assertValidEvent(row.event);
  const saved = await manager
    .getRepository(OutboxMessageEntity)
    .save({ ...row, publishedAt: null });
  return saved.seq;
}

export function enqueueIntegrationSnapshot(
  manager: EntityManager,
  snapshot: IntegrationChangedPayload,
): Promise<OutboxSeq> {
  const event = createEvent('IntegrationChanged', snapshot, {
    accountId: snapshot.accountId,
    integrationId: snapshot.id,
    occurredAt: snapshot.updatedAt,
  });
  return enqueue(manager, { topic: Topics.Integrations, key: snapshot.id, event });
}

export function enqueueAccountSnapshot(
  manager: EntityManager,
  snapshot: AccountChangedPayload,
): Promise<OutboxSeq> {
  const event = createEvent('AccountChanged', snapshot, {
    accountId: snapshot.id,
    occurredAt: snapshot.updatedAt,
  });
  return enqueue(manager, { topic: Topics.Accounts, key: snapshot.id, event });
}

export function enqueueDestinationSnapshot(
  manager: EntityManager,
  snapshot: DestinationChangedPayload,
): Promise<OutboxSeq> {
  const event = createEvent('DestinationChanged', snapshot, {
    accountId: snapshot.accountId,
    integrationId: snapshot.integrationId,
    occurredAt: snapshot.updatedAt,
  });
  return enqueue(manager, { topic: Topics.Destinations, key: snapshot.id, event });
}

/** The delete marker of a compacted topic. */
export function enqueueTombstone(
  manager: EntityManager,
  topic: string,
  key: string,
): Promise<OutboxSeq> {
  return enqueue(manager, { topic, key, event: null });
}
