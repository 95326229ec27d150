import { EventKind } from '@tracker/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'integration_events' })
export class IntegrationEventEntity {
  @PrimaryColumn('uuid', { name: 'integration_id' })
  integrationId: string;

  /** Case-sensitive (`COLLATE "C"`): `Revshare` and `revshare` are different events. */
  @PrimaryColumn('text')
  name: string;

  @Column('integer')
  position: number;

  @Column('text')
  label: string;

  @Column('text')
  kind: EventKind;

  @Column('json')
  params: Record<string, string>;

  /** Kept by the postback-stats projection; bigint arrives as a string. */
  @Column('bigint', { name: 'received_count', default: 0 })
  receivedCount: string;

  @Column('timestamptz', { name: 'last_received_at', nullable: true })
  lastReceivedAt: Date | null;
}
