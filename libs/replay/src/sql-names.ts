/** A quoted SQL identifier (schema names come from code, quoting keeps odd ones safe). */
export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The schema a replay builds into; leftovers of a failed run are dropped first. */
export const replaySchemaOf = (schema: string) => `${schema}__replay`;

/** The schema the replaced tables move to, kept for rollback. */
export function oldSchemaOf(schema: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '')
    .toLowerCase();
  return `${schema}__old_${stamp}`;
}
