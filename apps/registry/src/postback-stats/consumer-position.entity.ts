import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Next offset to apply per partition, written in the projection's own transaction. */
@Entity({ name: 'consumer_positions' })
export class ConsumerPositionEntity {
  @PrimaryColumn('text')
  consumer: string;

  @PrimaryColumn('text')
  topic: string;

  @PrimaryColumn('integer')
  partition: number;

  @Column('bigint', { name: 'next_offset' })
  nextOffset: string;
}
