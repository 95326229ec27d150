import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outgoing-postback destinations (SPEC section 4), one account's each. */
export class CreateDestinations1764300000000 implements MigrationInterface {
  name = 'CreateDestinations1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = quotedMigrationSchema(queryRunner, 'registry');
    // json, not jsonb: header order is the order the client gave and sends go out in.
    await queryRunner.query(`
      CREATE TABLE ${schema}.destinations (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES ${schema}.accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        integration_id uuid,
        stages json NOT NULL,
        method text NOT NULL,
        url text NOT NULL,
        headers json NOT NULL,
        body text,
        enabled boolean NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        active_since timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX destinations_account_idx ON ${schema}.destinations (account_id, created_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = quotedMigrationSchema(queryRunner, 'registry');
    await queryRunner.query(`DROP TABLE ${schema}.destinations`);
  }
}
