import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

const schemaOf = (queryRunner: QueryRunner) => quotedMigrationSchema(queryRunner, 'registry');

/**
 * Status updates and reversals (SPEC section 5): which parameter carries the partner's status,
 * which statuses reverse a conversion, and the partner's own transaction-id parameter.
 * Existing integrations take SPEC section 4's defaults.
 */
export class IntegrationStatusSettings1764500000000 implements MigrationInterface {
  name = 'IntegrationStatusSettings1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${schema}.integrations
        ADD COLUMN status_param text NOT NULL DEFAULT 'status',
        ADD COLUMN reversal_statuses json NOT NULL DEFAULT '["rejected", "declined", "chargeback", "refund", "refunded", "reversed", "cancelled", "canceled", "fraud"]',
        ADD COLUMN tid_param text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${schema}.integrations
        DROP COLUMN status_param, DROP COLUMN reversal_statuses, DROP COLUMN tid_param`);
  }
}
