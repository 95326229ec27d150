import { ConsumedEvent } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { DispatcherTables } from '../shared/schema';

/**
 * The deliveries log as `tracker.deliveries.v1` tells it: a DeliveryScheduled creates the
 * delivery (pending; not sendable until the live row's work state is carried over at the switch,
 * or, for one the live scheduler has not written yet, until it writes it), each DeliveryAttempted records its attempt and moves the delivery to the
 * attempt's outcome. Idempotent by (delivery, attempt), so a re-read batch changes nothing.
 */
export async function writeDeliveryLog(
  dataSource: DataSource,
  tables: DispatcherTables,
  messages: ConsumedEvent[],
): Promise<void> {
  const scheduled: unknown[] = [];
  const attempted: unknown[] = [];
  for (const { event } of messages) {
    if (event?.type === 'DeliveryScheduled') {
      const p = event.payload;
      scheduled.push({
        id: p.deliveryId,
        account_id: event.accountId,
        destination_id: p.destinationId,
        conversion_id: p.conversionId,
        click_id: p.clickId,
        stage: p.stage,
        created_at: p.createdAt,
      });
    } else if (event?.type === 'DeliveryAttempted') {
      const p = event.payload;
      attempted.push({
        id: p.deliveryId,
        attempt: p.attempt,
        attempted_at: event.occurredAt,
        status: p.outcome,
        next_attempt_at: p.nextAttemptAt,
        response_status: p.responseStatus,
        response_body: p.responseBody,
        error: p.error,
        request_method: p.request.method,
        request_url: p.request.url,
        body_size: p.request.bodySize,
        duration_ms: p.durationMs,
      });
    }
  }
  if (scheduled.length === 0 && attempted.length === 0) return;
  await dataSource.transaction(async (manager) => {
    if (scheduled.length > 0) {
      await manager.query(
        `INSERT INTO ${tables.deliveries} (id, account_id, destination_id, conversion_id, click_id,
           stage, status, created_at, next_attempt_at, scheduled)
         SELECT id, account_id, destination_id, conversion_id, click_id, stage, 'pending',
                created_at, created_at, false
           FROM json_to_recordset($1::json) AS x(id uuid, account_id uuid, destination_id uuid,
             conversion_id uuid, click_id text, stage text, created_at timestamptz)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(scheduled)],
      );
    }
    if (attempted.length > 0) {
      const recordset = `json_to_recordset($1::json) AS x(id uuid, attempt integer,
        attempted_at timestamptz, status text, next_attempt_at timestamptz, response_status integer,
        response_body text, error text, request_method text, request_url text, body_size integer,
        duration_ms integer)`;
      await manager.query(
        `INSERT INTO ${tables.attempts} (delivery_id, attempt, attempted_at, request_method,
           request_url, body_size, response_status, response_body, error, duration_ms, outcome,
           next_attempt_at)
         SELECT id, attempt, attempted_at, request_method, request_url, body_size, response_status,
                response_body, error, duration_ms, status, next_attempt_at
           FROM ${recordset}
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(attempted)],
      );
      // The latest attempt per delivery decides its state (a batch may hold several).
      await manager.query(
        `UPDATE ${tables.deliveries} d
            SET status = x.status, attempts = x.attempt, last_attempt_at = x.attempted_at,
                next_attempt_at = x.next_attempt_at, response_status = x.response_status,
                response_body = x.response_body, error = x.error,
                request_method = x.request_method, request_url = x.request_url
           FROM (SELECT DISTINCT ON (id) * FROM ${recordset} ORDER BY id, attempt DESC) x
          WHERE d.id = x.id AND d.attempts < x.attempt`,
        [JSON.stringify(attempted)],
      );
    }
  });
}
