import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

const schemaOf = (queryRunner: QueryRunner) => quotedMigrationSchema(queryRunner, 'postback_log');

/**
 * What a log item needs to explain its verdict (SPEC section 4, Postback logs): the body as
 * received and its content type, the sender, what each parameter was used for, the error's
 * detail and when the attributed click was made.
 */
export class ExplainedLogItems1764500000000 implements MigrationInterface {
  name = 'ExplainedLogItems1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${schema}.postback_logs
        ADD COLUMN body jsonb NULL,
        ADD COLUMN content_type text NULL,
        ADD COLUMN remote_address text NULL,
        ADD COLUMN user_agent text NULL,
        ADD COLUMN error_detail jsonb NULL,
        ADD COLUMN params_used_as jsonb NULL,
        ADD COLUMN clicked_at timestamptz NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${schema}.postback_logs
        DROP COLUMN body, DROP COLUMN content_type, DROP COLUMN remote_address,
        DROP COLUMN user_agent, DROP COLUMN error_detail, DROP COLUMN params_used_as,
        DROP COLUMN clicked_at`);
  }
}
