import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/** Enough of a query to tell which it was; a batch upsert's text is long but holds no data. */
const QUERY_TEXT_LIMIT = 300;

/**
 * TypeORM's own loggers print a failed query with all its parameters: a whole batch of
 * partners' postbacks, API keys' hashes, tenants' settings (SPEC section 9: no secrets in
 * logs). This one logs the error and the start of the query text, never a parameter.
 */
export class QueryErrorLogger implements TypeOrmLogger {
  private readonly logger: Pick<Logger, 'error' | 'warn' | 'log'>;

  constructor(logger: Pick<Logger, 'error' | 'warn' | 'log'> = new Logger('TypeORM')) {
    this.logger = logger;
  }

  logQuery(): void {}

  /** `parameters` is taken and deliberately never written anywhere. */
  logQueryError(error: string | Error, query: string, parameters?: unknown[]): void {
    void parameters;
    const message = typeof error === 'string' ? error : error.message;
    const text = query.replace(/\s+/g, ' ').trim();
    const shown = text.length > QUERY_TEXT_LIMIT ? `${text.slice(0, QUERY_TEXT_LIMIT)}…` : text;
    this.logger.error(`query failed: ${message} (query: ${shown})`);
  }

  logQuerySlow(): void {}

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
