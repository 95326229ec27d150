import { AnyEvent } from '@tracker/contracts';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A snapshot waiting for (or done with) its Kafka publish; `event` null is a tombstone. */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq: string;

  @Column('text')
  topic: string;

  @Column('text', { name: 'message_key' })
  key: string;

  @Column('json', { nullable: true })
  event: AnyEvent | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt: Date | null;
}
