/**
 * How long a fetch of an idle consumer may wait on the broker, in ms (kafkajs'
 * `idleMaxWaitTimeInMs`, patched in: `patches/README.md`). After a fetch that brought no records,
 * the next one asks for one byte and waits up to this long; the broker answers it as soon as a
 * record arrives, so an idle consumer's latency is unchanged, and under load the consumer's own
 * `minBytes`/`maxWaitMs` batching applies again from the fetch after.
 *
 * Why: the consumers of an idle `npm start` asked the broker every 25–100 ms (tables every 50),
 * about 285 fetches a second in all, and kept the machine 55% busy doing nothing (java 16%, each
 * app process 6–8%). It also bounds how long stopping a consumer waits for its fetch in flight.
 */
export const IDLE_FETCH_WAIT_MS = 500;
