import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The data source's schema: `registry`, or a replay's fresh `registry__replay`. */
const schemaOf = (queryRunner: QueryRunner) => quotedMigrationSchema(queryRunner, 'registry');

/** Accounts, keys, integrations with events and links, the snapshot outbox and consumer positions. */
export class CreateRegistrySchema1764200000000 implements MigrationInterface {
  name = 'CreateRegistrySchema1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${schema}.accounts (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        disabled boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${schema}.api_keys (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES ${schema}.accounts (id) ON DELETE CASCADE,
        hash char(64) NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_account_idx ON ${schema}.api_keys (account_id)`);
    // json, not jsonb: parameter order is part of the postback URL and jsonb would reorder keys.
    await queryRunner.query(`
      CREATE TABLE ${schema}.integrations (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES ${schema}.accounts (id) ON DELETE CASCADE,
        name text NOT NULL,
        template text NOT NULL,
        click_id_param text NOT NULL,
        amount_param text,
        default_currency char(3),
        field_params json NOT NULL,
        enabled boolean NOT NULL,
        rate_limit_per_second integer,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX integrations_account_idx ON ${schema}.integrations (account_id, created_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${schema}.integration_events (
        integration_id uuid NOT NULL REFERENCES ${schema}.integrations (id) ON DELETE CASCADE,
        name text COLLATE "C" NOT NULL,
        position integer NOT NULL,
        label text NOT NULL,
        kind text NOT NULL,
        params json NOT NULL,
        received_count bigint NOT NULL DEFAULT 0,
        last_received_at timestamptz,
        PRIMARY KEY (integration_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${schema}.registration_links (
        id text PRIMARY KEY,
        integration_id uuid NOT NULL REFERENCES ${schema}.integrations (id) ON DELETE CASCADE,
        name text NOT NULL,
        base_url text NOT NULL,
        final_url text NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX registration_links_integration_idx ON ${schema}.registration_links (integration_id, created_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${schema}.outbox (
        seq bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event json,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_pending_idx ON ${schema}.outbox (seq) WHERE published_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${schema}.consumer_positions (
        consumer text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        next_offset bigint NOT NULL,
        PRIMARY KEY (consumer, topic, partition)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    for (const table of [
      'consumer_positions',
      'outbox',
      'registration_links',
      'integration_events',
      'integrations',
      'api_keys',
      'accounts',
    ]) {
      await queryRunner.query(`DROP TABLE ${schema}.${table}`);
    }
  }
}
