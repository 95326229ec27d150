import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodePageCursor, encodePageCursor } from '@tracker/database';
import { DEFAULT_PAGE_SIZE } from '@tracker/platform';
import { lockModelShared } from '@tracker/replay';
import { DataSource, EntityManager } from 'typeorm';
import { unsendableTo } from '../destinations/destination-state';
import { DestinationDirectory } from '../destinations/destination.directory';
import { DISPATCHER_DB, Tables } from '../shared/schema';
import {
  DeliveryAttemptView,
  DeliveryDetail,
  DeliveryItem,
  DeliveryPage,
  ListDeliveriesQuery,
} from './delivery.dto';

interface DeliveryRow {
  id: string;
  destination_id: string;
  conversion_id: string;
  click_id: string;
  stage: string;
  status: DeliveryItem['status'];
  attempts: number;
  created_at: Date;
  last_attempt_at: Date | null;
  next_attempt_at: Date | null;
  response_status: number | null;
  response_body: string | null;
  error: string | null;
  request_method: string | null;
  request_url: string | null;
}

const COLUMNS = `id, destination_id, conversion_id, click_id, stage, status, attempts, created_at,
  last_attempt_at, next_attempt_at, response_status, response_body, error, request_method,
  request_url`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** One tenant's heavy filter must not hold a connection for long (SPEC section 9). */
const STATEMENT_TIMEOUT = `SET LOCAL statement_timeout = '5s'`;

const iso = (value: Date | null) => (value ? value.toISOString() : null);

function toItem(row: DeliveryRow): DeliveryItem {
  return {
    id: row.id,
    destinationId: row.destination_id,
    conversionId: row.conversion_id,
    clickId: row.click_id,
    stage: row.stage,
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: iso(row.last_attempt_at),
    nextAttemptAt:
      row.status === 'pending' || row.status === 'retrying' ? iso(row.next_attempt_at) : null,
    responseStatus: row.response_status,
    responseBody: row.response_body,
    error: row.error,
    request: { method: row.request_method, url: row.request_url },
    createdAt: row.created_at.toISOString(),
  };
}

/** The deliveries log of one account (SPEC section 4): pages, one delivery with its attempts, retry. */
@Injectable()
export class DeliveriesQuery {
  constructor(
    @InjectDataSource(DISPATCHER_DB) private readonly dataSource: DataSource,
    private readonly destinations: DestinationDirectory,
  ) {}

  /** Newest first, keyset pages on (createdAt, id). */
  list(accountId: string, query: ListDeliveriesQuery): Promise<DeliveryPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const where = ['account_id = $1'];
    const params: unknown[] = [accountId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.destinationId) add('destination_id = ?', query.destinationId);
    if (query.status) add('status = ?', query.status);
    if (query.clickId !== undefined) add('click_id = ?', query.clickId);
    if (query.from) add('created_at >= ?', new Date(query.from).toISOString());
    if (query.to) add('created_at < ?', new Date(query.to).toISOString());
    if (query.cursor) {
      const cursor = decodePageCursor(query.cursor);
      params.push(cursor.at, cursor.id);
      where.push(
        `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    return this.read(async (manager) => {
      const rows: DeliveryRow[] = await manager.query(
        `SELECT ${COLUMNS} FROM ${Tables.deliveries} WHERE ${where.join(' AND ')}
          ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toItem),
        nextCursor:
          rows.length > limit && last
            ? encodePageCursor({ at: last.created_at.toISOString(), id: last.id })
            : null,
      };
    });
  }

  /** One delivery with every attempt; another account's is "not found". */
  get(accountId: string, id: string): Promise<DeliveryDetail> {
    return this.read(async (manager) => {
      const row = await this.find(manager, accountId, id);
      const attempts: Array<{
        attempt: number;
        attempted_at: Date;
        request_method: string;
        request_url: string;
        body_size: number;
        response_status: number | null;
        response_body: string | null;
        error: string | null;
        duration_ms: number;
        outcome: string;
        next_attempt_at: Date | null;
      }> = await manager.query(
        `SELECT * FROM ${Tables.attempts} WHERE delivery_id = $1 ORDER BY attempt`,
        [id],
      );
      const history: DeliveryAttemptView[] = attempts.map((a) => ({
        attempt: a.attempt,
        attemptedAt: a.attempted_at.toISOString(),
        request: { method: a.request_method, url: a.request_url, bodySize: a.body_size },
        responseStatus: a.response_status,
        responseBody: a.response_body,
        error: a.error,
        durationMs: a.duration_ms,
        outcome: a.outcome,
        nextAttemptAt: iso(a.next_attempt_at),
      }));
      return { ...toItem(row), history };
    });
  }

  /**
   * Sends a failed delivery again now, with a fresh 24 h retry window and the same request and
   * key. @throws ConflictException unless it is `failed` and its destination exists and is
   * enabled (as of now: one enabled a moment ago counts).
   */
  async retry(accountId: string, id: string): Promise<DeliveryItem> {
    await this.destinations.currentAt(Date.now());
    await this.dataSource.transaction(async (manager) => {
      await lockModelShared(manager, 'dispatcher');
      const row = await this.find(manager, accountId, id, true);
      if (row.status !== 'failed') {
        throw new ConflictException(
          `delivery is ${row.status}; only a failed delivery can be retried`,
        );
      }
      const destination = this.destinations.get(row.destination_id);
      const unsendable = unsendableTo(destination);
      if (unsendable) {
        throw new ConflictException(
          destination
            ? `${unsendable}; enable it, then retry`
            : `${unsendable}; this delivery can no longer be sent`,
        );
      }
      await manager.query(
        `UPDATE ${Tables.deliveries}
            SET status = 'retrying', next_attempt_at = now(), window_started_at = now(),
                lease_until = NULL
          WHERE id = $1`,
        [id],
      );
    });
    return this.read(async (manager) => toItem(await this.find(manager, accountId, id)));
  }

  private read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(STATEMENT_TIMEOUT);
      return work(manager);
    });
  }

  private async find(
    manager: EntityManager,
    accountId: string,
    id: string,
    forUpdate = false,
  ): Promise<DeliveryRow> {
    const rows: DeliveryRow[] = UUID.test(id)
      ? await manager.query(
          `SELECT ${COLUMNS} FROM ${Tables.deliveries} WHERE id = $1 AND account_id = $2
           ${forUpdate ? 'FOR UPDATE' : ''}`,
          [id, accountId],
        )
      : [];
    if (rows.length === 0) throw new NotFoundException('delivery not found');
    return rows[0];
  }
}
