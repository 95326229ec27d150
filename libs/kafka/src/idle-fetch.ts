/**
 * How long a fetch of an idle consumer may wait on the broker, in ms (kafkajs'
 * `idleMaxWaitTimeInMs`, patched in: `patches/README.md`). After a fetch that brought no records,
 * the next one asks for one byte and waits up to this long; the broker answers it as soon as a
 * record arrives, so an idle consumer's latency is unchanged, and under load the consumer's own
 * `minBytes`/`maxWaitMs` batching applies again from the fetch after.
 *
 * Why: the consumers of an idle `npm start` asked the broker every 25–100 ms (tables every 50),
 * about 285 fetches a second in all, and kept the broker at 16–19% of a core and each app process
 * at 6–9% doing nothing. The price: stopping a consumer waits for its fetch in flight, up to this
 * long instead of 25–100 ms (a Ctrl-C of `npm start` took 1.8–2.1 s instead of 1.2–1.4 s until
 * every process was gone, in a new-user trial).
 */
export const IDLE_FETCH_WAIT_MS = 500;
