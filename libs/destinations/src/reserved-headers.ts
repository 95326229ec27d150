/** Why the sender owns a header, by its lower-case name. */
const RESERVED_HEADERS: ReadonlyMap<string, string> = new Map([
  ['host', 'the sender sets it from the url'],
  ['content-length', 'the sender sets it from the body'],
  ...[
    'transfer-encoding',
    'connection',
    'keep-alive',
    'upgrade',
    'expect',
    'te',
    'trailer',
    'proxy-connection',
  ].map(
    (name) =>
      [name, 'it is a hop-by-hop header and the sender manages the connection itself'] as const,
  ),
  ['idempotency-key', "the sender sets it to the delivery's id (SPEC section 4)"],
]);

/**
 * The problem with a destination header the sender sets itself or undici refuses (`Host`,
 * `Content-Length`, `Transfer-Encoding`, `Connection`, `Keep-Alive`, `Upgrade`, `Expect`, `TE`,
 * `Trailer`, `Proxy-Connection`, `Idempotency-Key`; any case), or null for a header a
 * destination may set. Saved, such a header failed every delivery at once ("invalid
 * transfer-encoding header") or fought the dispatcher's own `Idempotency-Key`, so it is a `400`
 * at save naming it (field `headers.<name>`, SPEC section 4). The answer has the shape of a
 * `DestinationProblem` (not imported: destination-rules imports this file).
 */
export function reservedHeaderProblem(name: string): { field: string; message: string } | null {
  const reason = RESERVED_HEADERS.get(name.toLowerCase());
  return reason === undefined
    ? null
    : { field: `headers.${name}`, message: `headers.${name} may not be set: ${reason}` };
}
