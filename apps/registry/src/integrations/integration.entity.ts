import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'integrations' })
export class IntegrationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'account_id' })
  accountId: string;

  @Column('text')
  name: string;

  @Column('text')
  template: string;

  @Column('text', { name: 'click_id_param' })
  clickIdParam: string;

  @Column('text', { name: 'amount_param', nullable: true })
  amountParam: string | null;

  @Column('char', { name: 'default_currency', length: 3, nullable: true })
  defaultCurrency: string | null;

  @Column('json', { name: 'field_params' })
  fieldParams: Record<string, string>;

  @Column('boolean')
  enabled: boolean;

  @Column('integer', { name: 'rate_limit_per_second', nullable: true })
  rateLimitPerSecond: number | null;

  @Column('text', { name: 'status_param' })
  statusParam: string;

  @Column('json', { name: 'reversal_statuses' })
  reversalStatuses: string[];

  @Column('text', { name: 'tid_param', nullable: true })
  tidParam: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt: Date;
}
