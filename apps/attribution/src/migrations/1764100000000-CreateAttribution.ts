import { MigrationInterface, QueryRunner } from 'typeorm';
import { ATTRIBUTION_SCHEMA, AttributionTables, tablesOf } from '../shared/schema';

/** The data source's schema: `attribution`, or a replay's fresh `attribution__replay`. */
function tablesIn(runner: QueryRunner): AttributionTables {
  const { schema } = runner.connection.options as { schema?: string };
  return tablesOf(schema ?? ATTRIBUTION_SCHEMA);
}

/** Clicks, judged postbacks (which double as the processed-postback-ids table) and the outbox. */
export class CreateAttribution1764100000000 implements MigrationInterface {
  name = 'CreateAttribution1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    const tables = tablesIn(runner);
    await runner.query(`
      CREATE TABLE ${tables.clicks} (
        click_id text PRIMARY KEY,
        event_id uuid NOT NULL,
        account_id text NOT NULL,
        integration_id text NULL,
        link_id text NULL,
        campaign text NULL,
        source text NULL,
        subscriber_id text NULL,
        params jsonb NOT NULL,
        user_agent text NULL,
        remote_address text NULL,
        created_at timestamptz NOT NULL,
        fields jsonb NOT NULL DEFAULT '{}',
        field_times jsonb NOT NULL DEFAULT '{}'
      )`);
    await runner.query(
      `CREATE INDEX clicks_account_created ON ${tables.clicks} (account_id, created_at)`,
    );

    await runner.query(`
      CREATE TABLE ${tables.postbacks} (
        postback_id uuid PRIMARY KEY,
        account_id text NOT NULL,
        integration_id text NOT NULL,
        click_id text NULL,
        event text NULL,
        kind text NULL,
        status text NOT NULL,
        error_code text NULL,
        error text NULL,
        amount numeric NULL,
        currency text NULL,
        tid text NULL,
        params_hash text NULL,
        fields jsonb NOT NULL DEFAULT '{}',
        stage text NULL,
        ordinal integer NULL,
        received_at timestamptz NOT NULL,
        judged_at timestamptz NOT NULL
      )`);
    await runner.query(
      `CREATE INDEX postbacks_click ON ${tables.postbacks} (click_id, received_at) WHERE click_id IS NOT NULL`,
    );
    await runner.query(
      `CREATE INDEX postbacks_conversions ON ${tables.postbacks} (account_id, received_at)
         WHERE status = 'attributed'`,
    );
    // Safety nets under the stage rules: a bug must fail the batch, never double-count.
    // md5: a partner's tid may be longer than a btree entry allows.
    await runner.query(
      `CREATE UNIQUE INDEX postbacks_tid_once ON ${tables.postbacks} (integration_id, click_id, event, md5(tid))
         WHERE status = 'attributed' AND tid IS NOT NULL`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX postbacks_stage_once ON ${tables.postbacks} (click_id, stage)
         WHERE status = 'attributed' AND stage IN ('registration', 'email_confirmation', 'first_deposit')`,
    );
    await runner.query(
      `CREATE UNIQUE INDEX postbacks_ordinal_once ON ${tables.postbacks} (click_id, ordinal)
         WHERE status = 'attributed' AND ordinal IS NOT NULL`,
    );

    await runner.query(`
      CREATE TABLE ${tables.outbox} (
        seq bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        topic text NOT NULL,
        message_key text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL
      )`);
    await runner.query(
      `CREATE INDEX outbox_pending ON ${tables.outbox} (seq) WHERE published_at IS NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const tables = tablesIn(runner);
    await runner.query(`DROP TABLE ${tables.outbox}`);
    await runner.query(`DROP TABLE ${tables.postbacks}`);
    await runner.query(`DROP TABLE ${tables.clicks}`);
  }
}
