import { BadRequestException } from '@nestjs/common';
import {
  AccountChangedPayload,
  assertValidEvent,
  createEvent,
  DestinationChangedPayload,
  IntegrationChangedPayload,
  Topics,
} from '@tracker/contracts';
import { encodeEvent, MAX_MESSAGE_BYTES, messageBytes } from '@tracker/kafka';
import { EntityManager } from 'typeorm';
import { OutboxMessageEntity } from './outbox-message.entity';

/**
 * A snapshot larger than one Kafka message may be (SPEC section 9: a single event that would
 * exceed what the broker accepts is refused at the edge with a 4xx). Thrown before commit, so
 * the change is not stored; the relay would otherwise dead-letter the snapshot and every
 * replica would keep the old one. A `400`; callers that know which request field grew the
 * snapshot answer a more precise one (IntegrationChanges).
 */
export class SnapshotTooLargeError extends BadRequestException {
  constructor(
    readonly type: string,
    /** The message's size as the relay would send it (key, JSON value, headers, framing). */
    readonly bytes: number,
  ) {
    super(
      `the ${type} snapshot would be ${bytes} bytes, over the ${MAX_MESSAGE_BYTES} bytes one ` +
        'Kafka message may hold',
    );
  }
}

/** Outbox sequence numbers of the rows a transaction wrote, for `RegistryOutboxRelay.publishAndWait`. */
export type OutboxSeq = string;

async function enqueue(
  manager: EntityManager,
  row: Pick<OutboxMessageEntity, 'topic' | 'key' | 'event'>,
): Promise<OutboxSeq> {
  // Checked before commit: an invalid or oversized snapshot fails the request instead of
  // poisoning the relay.
  if (row.event) {
    assertValidEvent(row.event);
    const bytes = messageBytes(encodeEvent(row.event, row.key));
    if (bytes > MAX_MESSAGE_BYTES) throw new SnapshotTooLargeError(row.event.type, bytes);
  }
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
