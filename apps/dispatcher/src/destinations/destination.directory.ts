import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DestinationChangedPayload, Topics } from '@tracker/contracts';
import { KafkaRuntime, KafkaTable } from '@tracker/kafka';

/** How often the directory catches up on its own, so most batches need no round of their own. */
const REFRESH_MS = 200;

/**
 * Every destination as the registry publishes it on the compacted `tracker.destinations.v1`,
 * indexed by account. `currentAt` makes sure a conversion sees every destination acknowledged
 * before it occurred (the registry answers only after the broker's ack).
 */
@Injectable()
export class DestinationDirectory implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly table: KafkaTable<DestinationChangedPayload>;
  private readonly byAccount = new Map<string, Map<string, DestinationChangedPayload>>();
  /** Everything on the topic before this time (ms) has been applied. */
  private coveredUntil = 0;
  private timer: NodeJS.Timeout | null = null;

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

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.currentAt(Date.now()).catch(() => undefined),
      REFRESH_MS,
    );
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Resolves once every destination published before `time` (ms) is applied: at once when a
   * catch-up that began later already finished, else after a new one.
   * @throws TransientError when the topic could not be read in time
   */
  async currentAt(time: number, timeoutMs = 10_000): Promise<void> {
    if (time < this.coveredUntil) return;
    const requested = Date.now();
    await this.table.catchUp(timeoutMs);
    this.coveredUntil = Math.max(this.coveredUntil, requested);
  }
}
