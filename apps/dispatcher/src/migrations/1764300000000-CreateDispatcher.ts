import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deliveries (the log and the work queue in one row per conversion × destination), their
 * attempts, and the outbox of DeliveryScheduled / DeliveryAttempted events.
 */
export class CreateDispatcher1764300000000 implements MigrationInterface {
  name = 'CreateDispatcher1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner, 'dispatcher');
    await queryRunner.query(`
      CREATE TABLE ${s}.deliveries (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        destination_id uuid NOT NULL,
        conversion_id uuid NOT NULL,
        click_id text NOT NULL,
        stage text NOT NULL,
        status text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        last_attempt_at timestamptz,
        next_attempt_at timestamptz,
        response_status integer,
        response_body text,
        error text,
        request_method text,
        request_url text,
        -- json, not jsonb: values may hold \\u0000, which jsonb refuses.
        -- Work state, not part of the log: the conversion until the request is rendered, the
        -- rendered request (secrets in full) its retries reuse, the lease of the sender holding
        -- it, the start of its 24 h retry window, and whether DeliveryScheduled is published.
        conversion json,
        rendered json,
        lease_until timestamptz,
        window_started_at timestamptz,
        scheduled boolean NOT NULL DEFAULT false
      )`);
    await queryRunner.query(
      `CREATE INDEX deliveries_account_page_idx ON ${s}.deliveries (account_id, created_at DESC, id DESC)`,
    );
    // The senders' queue: only sendable rows (their DeliveryScheduled is published), so a
    // backlog waiting for the relay is not scanned by every claim.
    await queryRunner.query(
      `CREATE INDEX deliveries_due_idx ON ${s}.deliveries (next_attempt_at)
        WHERE status IN ('pending', 'retrying') AND scheduled`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.delivery_attempts (
        delivery_id uuid NOT NULL,
        attempt integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        request_method text NOT NULL,
        request_url text NOT NULL,
        body_size integer NOT NULL,
        response_status integer,
        response_body text,
        error text,
        duration_ms integer NOT NULL,
        outcome text NOT NULL,
        next_attempt_at timestamptz,
        PRIMARY KEY (delivery_id, attempt)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.outbox (
        seq bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event json NOT NULL,
        delivery_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_pending_idx ON ${s}.outbox (seq) WHERE published_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner, 'dispatcher');
    await queryRunner.query(`DROP TABLE ${s}.outbox, ${s}.delivery_attempts, ${s}.deliveries`);
  }
}
