import { BeforeApplicationShutdown, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { DestinationChangedPayload, Topics } from '@tracker/contracts';
import { KafkaRuntime, KafkaTable } from '@tracker/kafka';

/**
 * While conversions flow (a caller asked within BUSY_MS), the directory catches up every
 * BUSY_REFRESH_MS on its own, so a batch nearly always finds its conversions' time covered, or
 * a round under way that began after it, instead of starting and awaiting a round of its own
 * (two offset requests on a busy event loop: 100–200 ms per batch under B8). Idle, every
 * IDLE_REFRESH_MS.
 */
const BUSY_REFRESH_MS = 50;
const IDLE_REFRESH_MS = 1000;
const BUSY_MS = 2000;

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
  /** The catch-up under way, and when it was asked for (ms). */
  private running: { startedAt: number; done: Promise<void> } | null = null;
  private lastAsked = 0;
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
    this.timer = setInterval(() => {
      if (this.running) return;
      const now = Date.now();
      const busy = now - this.lastAsked < BUSY_MS;
      if (busy || now - this.coveredUntil >= IDLE_REFRESH_MS) {
        void this.catchUp(10_000).catch(() => undefined);
      }
    }, BUSY_REFRESH_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Resolves once every destination published before `time` (ms) is applied: at once when a
   * catch-up that began later already finished, after the one under way when it began later,
   * else after a new one.
   * @throws TransientError when the topic could not be read in time
   */
  async currentAt(time: number, timeoutMs = 10_000): Promise<void> {
    this.lastAsked = Date.now();
    if (time < this.coveredUntil) return;
    const running = this.running;
    if (running && running.startedAt > time) return running.done;
    return this.catchUp(timeoutMs);
  }

  /** A catch-up asked for now: once it resolves, all that was on the topic now is applied. */
  private catchUp(timeoutMs: number): Promise<void> {
    const startedAt = Date.now();
    const done = this.table.catchUp(timeoutMs).then(() => {
      this.coveredUntil = Math.max(this.coveredUntil, startedAt);
    });
    const running = { startedAt, done };
    this.running = running;
    void done
      .catch(() => undefined)
      .finally(() => {
        if (this.running === running) this.running = null;
      });
    return done;
  }
}
