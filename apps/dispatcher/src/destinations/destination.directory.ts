import { Injectable } from '@nestjs/common';
import { DestinationChangedPayload, Topics } from '@tracker/contracts';
import { KafkaRuntime, KafkaTable } from '@tracker/kafka';

/**
 * Every destination as the registry publishes it on the compacted `tracker.destinations.v1`,
 * indexed by account. The scheduler catches up with the topic before each batch, so a
 * conversion that occurred after a destination's (acknowledged) creation always sees it.
 */
@Injectable()
export class DestinationDirectory {
  private readonly table: KafkaTable<DestinationChangedPayload>;
  private readonly byAccount = new Map<string, Map<string, DestinationChangedPayload>>();

  constructor(kafka: KafkaRuntime) {
    this.table = kafka.createTable<DestinationChangedPayload>({
      name: 'destinations',
      topic: Topics.Destinations,
      toValue: (message) =>
        message.event?.type === 'DestinationChanged' ? message.event.payload : null,
      onChange: (key, value, previous) => {
        if (previous) this.byAccount.get(previous.accountId)?.delete(key);
        if (value) {
          const account = this.byAccount.get(value.accountId) ?? new Map();
          account.set(key, value);
          this.byAccount.set(value.accountId, account);
        }
      },
    });
  }

  get(id: string): DestinationChangedPayload | undefined {
    return this.table.get(id);
  }

  /** The account's destinations (enabled or not). */
  ofAccount(accountId: string): Iterable<DestinationChangedPayload> {
    return this.byAccount.get(accountId)?.values() ?? [];
  }

  /** Applies everything on the topic now (read-your-writes for the registry's acknowledged changes). */
  catchUp(timeoutMs?: number): Promise<void> {
    return this.table.catchUp(timeoutMs);
  }
}
