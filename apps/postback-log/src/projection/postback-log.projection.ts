import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics } from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { BatchConsumerOptions, KafkaRuntime } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { POSTBACK_LOG_APP } from '../postback-log.database';
import { CoalescedWrites } from './coalesced-writes';
import { HeldPostbacks } from './held-postbacks';
import { PostbackLogWriter } from './postback-log.writer';

export const POSTBACK_LOG_TOPICS = [Topics.Postbacks, Topics.PostbackOutcomes];

/**
 * How long after its receipt a fresh postback waits for its outcome before it is written alone,
 * in ms. While attribution keeps up its outcome reaches the log well within a second, but for
 * the first seconds of a burst (cold processes) it came later: box benches at 0.05 × bare
 * Fastify still wrote 39–82% of the log rows twice with 1 s, 0–0.4% with 3 s. A
 * postback whose outcome comes later is listed as `received` up to this much later (its final
 * status is not delayed: the outcome writes it); a stop writes every held postback at once.
 */
export const OUTCOME_WAIT_MS = 3000;
/** Postbacks held at most at once, and their bytes as read (a partner may send large bodies). */
export const MAX_HELD_POSTBACKS = 10_000;
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

/** How the log consumes (the handler aside). */
export function postbackLogConsumerOptions(
  held: HeldPostbacks,
  topics: string[] = POSTBACK_LOG_TOPICS,
): Omit<BatchConsumerOptions, 'groupId'> {
  return {
    name: 'postback-log.projection',
    topics,
    fromBeginning: true,
    // Large handler batches: one upsert per few thousand rows is what makes replays fast.
    subBatchSize: 5000,
    // The partitions of a fetch are handled side by side and their batches merged into one
    // write (CoalescedWrites), where a postback meets its outcome. Four at once (two before)
    // cut B2's p99 on a 2-core host from 5–7 s to 3.4–4.6 s.
    partitionsConsumedConcurrently: 4,
    // As attribution's: larger fetches under load for at most 25 ms more latency.
    fetch: { minBytes: 128 * 1024, maxWaitMs: 25 },
    // Every write is an upsert by event id (a redelivered batch changes nothing), so the next
    // fetch need not wait for the offset commit's round trip: commits run behind, merged (the
    // log sent 26 commits/s under B6, each ahead of its next fetch). It also lets a postback
    // wait for its outcome (HeldPostbacks) without holding up the partition.
    commitBehind: true,
    handle: (messages) => held.handle(messages),
    // A stop writes every held postback at once instead of at its deadline.
    onStop: () => held.close(),
  };
}

/** Feeds postbacks and their outcomes, in whatever order they come, into the log. */
@Injectable()
export class PostbackLogProjection {
  readonly writer: PostbackLogWriter;
  readonly held: HeldPostbacks;

  constructor(
    kafka: KafkaRuntime,
    directory: IntegrationDirectory,
    @InjectDataSource(POSTBACK_LOG_APP) dataSource: DataSource,
  ) {
    this.writer = new PostbackLogWriter(dataSource, (id) => directory.get(id)?.name);
    const writes = new CoalescedWrites((events) => this.writer.write(events));
    this.held = new HeldPostbacks((events) => writes.add(events), {
      holdMs: OUTCOME_WAIT_MS,
      maxHeld: MAX_HELD_POSTBACKS,
      maxHeldBytes: MAX_HELD_BYTES,
    });
    kafka.createConsumer({
      ...postbackLogConsumerOptions(this.held),
      group: 'postback-log.projection',
    });
  }
}
