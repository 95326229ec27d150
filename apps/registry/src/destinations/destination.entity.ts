import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An outgoing-postback destination (SPEC section 4); url, headers and body are templates. */
@Entity({ name: 'destinations' })
export class DestinationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'account_id' })
  accountId: string;

  @Column('text')
  name: string;

  @Column('uuid', { name: 'integration_id', nullable: true })
  integrationId: string | null;

  @Column('json')
  stages: string[];

  @Column('text')
  method: 'GET' | 'POST';

  @Column('text')
  url: string;

  @Column('json')
  headers: Record<string, string>;

  @Column('text', { nullable: true })
  body: string | null;

  @Column('boolean')
  enabled: boolean;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;

  /** Created or last enabled: conversions after it reach the destination. */
  @Column('timestamptz', { name: 'active_since' })
  activeSince: Date;
}
