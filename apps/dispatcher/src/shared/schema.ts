/** The PostgreSQL schema the dispatcher owns (SPEC section 2: nobody else reads its tables). */
export const DISPATCHER_SCHEMA = 'dispatcher';

/** The Nest data source name (`@InjectDataSource(DISPATCHER_DB)`). */
export const DISPATCHER_DB = 'dispatcher';

export interface DispatcherTables {
  deliveries: string;
  attempts: string;
  outbox: string;
}

/** Qualified table names in a schema: the live one, or a replay's fresh one. */
export function tablesOf(schema: string): DispatcherTables {
  const quoted = `"${schema.replace(/"/g, '""')}"`;
  return {
    deliveries: `${quoted}.deliveries`,
    attempts: `${quoted}.delivery_attempts`,
    outbox: `${quoted}.outbox`,
  };
}

export const Tables: DispatcherTables = tablesOf(DISPATCHER_SCHEMA);
