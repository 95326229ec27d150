import {
  decodePageCursor,
  encodePageCursor,
  PageCursor,
  PageCursorFormat,
} from '@tracker/database';
import { DEFAULT_PAGE_SIZE, PageQuery } from '@tracker/platform';
import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** One page of a list and where the next one starts (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * How a list is ordered for keyset paging: a sort column and a unique tie-breaking column,
 * both ascending, with the SQL types the cursor's values are bound as.
 */
export interface KeysetOrder<E> {
  /** e.g. `k.createdAt` (query-builder property paths). */
  sort: string;
  id: string;
  sortType: 'timestamptz' | 'integer';
  idType: 'uuid' | 'text';
  /** Tie-breaking id's own format; the sort value's follows sortType. */
  idFormat: RegExp;
  cursorOf: (row: E) => PageCursor;
}

/**
 * Reads the page of `query` after `page.cursor`, at most `page.limit` rows (default 100),
 * ordered by `order`; fetches one row more to know whether a next page exists.
 * @throws FieldBadRequestException (400, `field: "cursor"`) for a cursor not handed out here.
 */
export async function readPage<E extends ObjectLiteral>(
  query: SelectQueryBuilder<E>,
  page: PageQuery,
  order: KeysetOrder<E>,
): Promise<Page<E>> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const format: PageCursorFormat = {
    at: order.sortType === 'integer' ? 'integer' : 'instant',
    id: order.idFormat,
  };
  query
    .orderBy(order.sort, 'ASC')
    .addOrderBy(order.id, 'ASC')
    .limit(limit + 1);
  if (page.cursor !== undefined) {
    const after = decodePageCursor(page.cursor, format);
    query.andWhere(
      `(${order.sort}, ${order.id}) > (CAST(:pageAt AS ${order.sortType}), CAST(:pageId AS ${order.idType}))`,
      { pageAt: after.at, pageId: after.id },
    );
  }
  const found = await query.getMany();
  const items = found.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: found.length > limit && last ? encodePageCursor(order.cursorOf(last)) : null,
  };
}

/** The uuid format of ids minted with randomUUID (decodePageCursor's default too). */
export const UUID_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Orders rows with `createdAt` and a uuid `id` oldest first: keys, destinations, integrations. */
export function byCreatedAt<E extends { createdAt: Date; id: string }>(
  alias: string,
): KeysetOrder<E> {
  return {
    sort: `${alias}.createdAt`,
    id: `${alias}.id`,
    sortType: 'timestamptz',
    idType: 'uuid',
    idFormat: UUID_ID,
    cursorOf: (row) => ({ at: row.createdAt.toISOString(), id: row.id }),
  };
}
