/** The read models `npm run replay` can rebuild. */
export const REPLAY_MODELS = ['postback-log', 'attribution', 'registry', 'dispatcher'] as const;
export type ReplayModel = (typeof REPLAY_MODELS)[number];

/** Lock classes (first key of the two-key advisory locks); constant across every replica. */
const SWITCH_LOCK_CLASS = 72_519_001;
const REPLAY_LOCK_CLASS = 72_519_002;
const MODEL_IDS: Record<ReplayModel, number> = {
  'postback-log': 1,
  attribution: 2,
  registry: 3,
  dispatcher: 4,
};

export interface LockKey {
  classId: number;
  objectId: number;
}

/** Held shared by every write to a model, exclusive by a replay while it switches tables. */
export const switchLockKey = (model: ReplayModel): LockKey => ({
  classId: SWITCH_LOCK_CLASS,
  objectId: MODEL_IDS[model],
});

/** Held for the whole run of a replay (session lock): one replay per model at a time. */
export const replayLockKey = (model: ReplayModel): LockKey => ({
  classId: REPLAY_LOCK_CLASS,
  objectId: MODEL_IDS[model],
});

export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Call first in every transaction that writes the model: a replay's switch-over waits for
 * these transactions and holds new ones back until the renamed tables are in place.
 */
export async function lockModelShared(transaction: Queryable, model: ReplayModel): Promise<void> {
  const { classId, objectId } = switchLockKey(model);
  await transaction.query('SELECT pg_advisory_xact_lock_shared($1, $2)', [classId, objectId]);
}

/** Rows of a query on either a TypeORM manager (rows) or a pg client (a result with rows). */
export async function queryRows<T>(
  db: Queryable,
  sql: string,
  parameters?: unknown[],
): Promise<T[]> {
  const result = await db.query(sql, parameters);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
