import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The data source's schema: `postback_log`, or a replay's fresh `postback_log__replay`. */
const schemaOf = (queryRunner: QueryRunner) => quotedMigrationSchema(queryRunner, 'postback_log');

/**
 * A partner's click id may be of any length (SPEC section 9), but a btree entry holds at most
 * ~2,700 bytes: a 3,000-character click id failed every batch it was in. The click filter's
 * index keys on md5(click_id) instead; the query matches both the hash (for the index) and the
 * text itself.
 */
export class HashClickIndex1764300000000 implements MigrationInterface {
  name = 'HashClickIndex1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX ${schema}.postback_logs_click`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_click_md5 ON ${schema}.postback_logs
        (account_id, md5(click_id)) WHERE click_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX ${schema}.postback_logs_click_md5`);
    await queryRunner.query(`
      CREATE INDEX postback_logs_click ON ${schema}.postback_logs
        (account_id, click_id) WHERE click_id IS NOT NULL`);
  }
}
