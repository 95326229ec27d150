/**
 * Rows as one array per column, for `unnest($1::uuid[], $2::text[], …)`: each value is cast on
 * its own, so JSON text holding `\u0000` or a lone surrogate (anything a partner or a visitor
 * can send ends in conversions) is stored as `json`, where `json_to_recordset` over the whole
 * batch would refuse it and fail every row with it.
 */
export function columnArrays<T extends object, K extends keyof T>(
  rows: readonly T[],
  keys: readonly K[],
): Array<Array<T[K]>> {
  return keys.map((key) => rows.map((row) => row[key]));
}
