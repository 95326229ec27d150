import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Topics } from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { BatchConsumerOptions, KafkaRuntime } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { POSTBACK_LOG_APP } from '../postback-log.database';
import { CoalescedWrites } from './coalesced-writes';
import { PostbackLogWriter } from './postback-log.writer';

export const POSTBACK_LOG_TOPICS = [Topics.Postbacks, Topics.PostbackOutcomes];

/** How the log consumes: shared with the bench so it measures exactly this path. */
export function postbackLogConsumerOptions(
  writer: PostbackLogWriter,
  topics: string[] = POSTBACK_LOG_TOPICS,
): Omit<BatchConsumerOptions, 'groupId'> {
  const writes = new CoalescedWrites((events) => writer.write(events));
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
    // log sent 26 commits/s under B6, each ahead of its next fetch).
    commitBehind: true,
    handle: (messages) => writes.add(messages.map((message) => message.event)),
  };
}

/** Feeds postbacks and their outcomes, in whatever order they come, into the log. */
@Injectable()
export class PostbackLogProjection {
  readonly writer: PostbackLogWriter;

  constructor(
    kafka: KafkaRuntime,
    directory: IntegrationDirectory,
    @InjectDataSource(POSTBACK_LOG_APP) dataSource: DataSource,
  ) {
    this.writer = new PostbackLogWriter(dataSource, (id) => directory.get(id)?.name);
    kafka.createConsumer({
      ...postbackLogConsumerOptions(this.writer),
      group: 'postback-log.projection',
    });
  }
}
