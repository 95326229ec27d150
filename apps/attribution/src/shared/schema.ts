/** The PostgreSQL schema attribution owns (SPEC section 2: nobody else reads its tables). */
export const ATTRIBUTION_SCHEMA = 'attribution';

export interface AttributionTables {
  clicks: string;
  postbacks: string;
  outbox: string;
}

/** Qualified table names in a schema: the live one, or a replay's fresh one. */
export function tablesOf(schema: string): AttributionTables {
  const quoted = `"${schema.replace(/"/g, '""')}"`;
  return {
    clicks: `${quoted}.clicks`,
    postbacks: `${quoted}.postbacks`,
    outbox: `${quoted}.outbox`,
  };
}

export const Tables: AttributionTables = tablesOf(ATTRIBUTION_SCHEMA);

/** The Nest data source name (`@InjectDataSource(ATTRIBUTION_DB)`). */
export const ATTRIBUTION_DB = 'attribution';
