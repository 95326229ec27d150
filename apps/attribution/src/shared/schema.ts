/** The PostgreSQL schema attribution owns (SPEC section 2: nobody else reads its tables). */
export const ATTRIBUTION_SCHEMA = 'attribution';

export const Tables = {
  clicks: `${ATTRIBUTION_SCHEMA}.clicks`,
  postbacks: `${ATTRIBUTION_SCHEMA}.postbacks`,
  outbox: `${ATTRIBUTION_SCHEMA}.outbox`,
} as const;

/** The Nest data source name (`@InjectDataSource(ATTRIBUTION_DB)`). */
export const ATTRIBUTION_DB = 'attribution';
