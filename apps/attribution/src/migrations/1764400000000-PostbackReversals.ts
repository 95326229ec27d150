import { MigrationInterface, QueryRunner } from 'typeorm';
import { ATTRIBUTION_SCHEMA, AttributionTables, tablesOf } from '../shared/schema';

function tablesIn(runner: QueryRunner): AttributionTables {
  const { schema } = runner.connection.options as { schema?: string };
  return tablesOf(schema ?? ATTRIBUTION_SCHEMA);
}

function schemaOf(runner: QueryRunner): string {
  const { schema } = runner.connection.options as { schema?: string };
  return `"${(schema ?? ATTRIBUTION_SCHEMA).replace(/"/g, '""')}"`;
}

/**
 * Reversals and the explanation of verdicts (SPEC section 5 "Status updates", section 4
 * Postback logs): what a reversal cancels, what each parameter was used for, the error detail.
 */
export class PostbackReversals1764400000000 implements MigrationInterface {
  name = 'PostbackReversals1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    const tables = tablesIn(runner);
    await runner.query(`
      ALTER TABLE ${tables.postbacks}
        ADD COLUMN error_detail jsonb NULL,
        ADD COLUMN reverses uuid NULL,
        ADD COLUMN reversed_stage text NULL,
        ADD COLUMN reversal boolean NOT NULL DEFAULT false,
        ADD COLUMN params_used_as jsonb NULL,
        ADD COLUMN click_id_param text NULL,
        ADD COLUMN tid_param text NULL`);
    // A reversal carries the tid of the conversion it cancels: the tid rule is for conversions.
    await runner.query(`DROP INDEX ${schemaOf(runner)}.postbacks_tid_once`);
    await runner.query(
      `CREATE UNIQUE INDEX postbacks_tid_once ON ${tables.postbacks} (integration_id, click_id, event, md5(tid))
         WHERE status = 'attributed' AND tid IS NOT NULL AND stage <> 'reversal'`,
    );
    // Safety net under the reversal rule: one reversal per reversed conversion, ever.
    await runner.query(
      `CREATE UNIQUE INDEX postbacks_reversal_once ON ${tables.postbacks} (reverses)
         WHERE status = 'attributed' AND reverses IS NOT NULL`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const tables = tablesIn(runner);
    await runner.query(`DROP INDEX ${schemaOf(runner)}.postbacks_reversal_once`);
    await runner.query(`DROP INDEX ${schemaOf(runner)}.postbacks_tid_once`);
    await runner.query(
      `CREATE UNIQUE INDEX postbacks_tid_once ON ${tables.postbacks} (integration_id, click_id, event, md5(tid))
         WHERE status = 'attributed' AND tid IS NOT NULL`,
    );
    await runner.query(`
      ALTER TABLE ${tables.postbacks}
        DROP COLUMN error_detail, DROP COLUMN reverses, DROP COLUMN reversed_stage,
        DROP COLUMN reversal, DROP COLUMN params_used_as, DROP COLUMN click_id_param,
        DROP COLUMN tid_param`);
  }
}
