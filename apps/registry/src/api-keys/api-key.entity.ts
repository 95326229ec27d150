import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Only the hash of a key is stored; the key itself is shown once and forgotten. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'account_id' })
  accountId: string;

  @Column('char', { length: 64 })
  hash: string;

  @Column('text')
  prefix: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
