import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The data source's schema: `postback_log`, or a replay's fresh `postback_log__replay`. */
const schemaOf = (queryRunner: QueryRunner) => quotedMigrationSchema(queryRunner, 'postback_log');

/**
 * One row per postback (keyed by its event id), filled from both topics in either order.
 * Partial indexes skip rows whose PostbackReceived has not arrived yet (never listed).
 */
export class CreatePostbackLog1764100000000 implements MigrationInterface {
  name = 'CreatePostbackLog1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    // Another app's migration may create it at the same moment in the same database.
    await queryRunner.query(`
      DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
      EXCEPTION WHEN unique_violation OR duplicate_object THEN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TABLE ${schema}.postback_logs (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        integration_id uuid,
        integration_name text,
        received_at timestamptz,
        event text,
        click_id text,
        method text,
        url text,
        params jsonb,
        search_text text,
        status text NOT NULL DEFAULT 'received',
        error_code text,
        error text,
        conversion jsonb,
        outcome_at timestamptz,
        outcome_id uuid
      )`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_page ON ${schema}.postback_logs
        (account_id, received_at, id) WHERE received_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_integration ON ${schema}.postback_logs
        (account_id, integration_id, received_at, id) WHERE received_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_status ON ${schema}.postback_logs
        (account_id, status, received_at, id) WHERE received_at IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_click ON ${schema}.postback_logs
        (account_id, click_id) WHERE click_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_search ON ${schema}.postback_logs
        USING gin (search_text public.gin_trgm_ops)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${schema}.postback_logs`);
  }
}
