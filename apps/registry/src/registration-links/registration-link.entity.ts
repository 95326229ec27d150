import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'registration_links' })
export class RegistrationLinkEntity {
  @PrimaryColumn('text')
  id: string;

  @Column('uuid', { name: 'integration_id' })
  integrationId: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'base_url' })
  baseUrl: string;

  @Column('text', { name: 'final_url' })
  finalUrl: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt: Date;
}
