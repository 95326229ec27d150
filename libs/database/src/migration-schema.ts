import type { QueryRunner } from 'typeorm';

/**
 * The schema a migration writes into, quoted for SQL: its data source's, which is the app's own
 * (`fallback`) or a replay's fresh `<schema>__replay`.
 */
export function quotedMigrationSchema(queryRunner: QueryRunner, fallback: string): string {
  const { schema } = queryRunner.connection.options as { schema?: string };
  return `"${(schema ?? fallback).replace(/"/g, '""')}"`;
}
