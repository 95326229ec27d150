import { quotedMigrationSchema } from '@tracker/database';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The data source's schema: `postback_log`, or a replay's fresh `postback_log__replay`. */
const schemaOf = (queryRunner: QueryRunner) => quotedMigrationSchema(queryRunner, 'postback_log');

/**
 * `q` over the whole URL (SPEC: click id, URL or parameter values), not only the values.
 *
 * Each account's URL skeleton: the lower-cased paths and parameter names its postbacks were
 * received with, once each. `q` looks here to learn whether it can fall in a part of the URL
 * the trigram index leaves out. Keyed by a hash: a hostile parameter name may be longer than a
 * btree entry can hold.
 */
export class SearchWholeUrl1764200000000 implements MigrationInterface {
  name = 'SearchWholeUrl1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${schema}.url_terms (
        account_id uuid NOT NULL,
        term_hash uuid NOT NULL,
        term text NOT NULL,
        PRIMARY KEY (account_id, term_hash)
      )`);
    // Rows projected before this table existed: the same split as urlTermsOf().
    await queryRunner.query(`
      INSERT INTO ${schema}.url_terms (account_id, term_hash, term)
      SELECT account_id, md5(term)::uuid, term
      FROM (
        SELECT account_id, lower(split_part(url, '?', 1)) AS term
          FROM ${schema}.postback_logs WHERE url IS NOT NULL
        UNION
        SELECT account_id, lower(split_part(pair, '=', 1))
          FROM ${schema}.postback_logs,
               regexp_split_to_table(substr(url, strpos(url, '?') + 1), '&') AS pair
         WHERE strpos(url, '?') > 0
      ) terms
      WHERE term <> ''`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`DROP TABLE ${schema}.url_terms`);
  }
}
