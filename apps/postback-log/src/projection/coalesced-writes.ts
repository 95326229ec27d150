import type { AnyEvent } from '@tracker/contracts';

type Write = (events: ReadonlyArray<AnyEvent | null>) => Promise<void>;

interface Waiting {
  events: ReadonlyArray<AnyEvent | null>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Merges the batches of concurrent handler calls into one write. The consumer hands the log the
 * partitions of one fetch at once (postbacks and outcomes side by side), and a postback whose
 * outcome is in the same write is stored whole in one insert instead of an insert and an update
 * (PostbackLogWriter). Calls made while a write runs wait for it and go together in the next.
 *
 * Each call resolves once its events are committed, or rejects with the error of its own
 * events: when a merged write fails, each call's events are written again on their own, so one
 * poison batch fails alone and the consumer isolates its message as usual.
 */
export class CoalescedWrites {
  private waiting: Waiting[] = [];
  private running = false;
  /** Writes made and handler calls they carried (diagnostics and tests). */
  readonly stats = { writes: 0, calls: 0 };

  constructor(private readonly write: Write) {}

  add(events: ReadonlyArray<AnyEvent | null>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (this.running) return;
      this.running = true;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    // The other partitions of the same fetch are handed over in this turn of the event loop.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const calls = this.waiting;
      this.waiting = [];
      this.stats.writes += 1;
      this.stats.calls += calls.length;
      try {
        await this.write(calls.flatMap((call) => call.events));
        for (const call of calls) call.resolve();
      } catch (error) {
        if (calls.length === 1) {
          calls[0].reject(error);
          continue;
        }
        for (const call of calls) {
          await this.write(call.events).then(call.resolve, call.reject);
        }
      }
    }
    // In the same turn as the empty queue was seen: a call added after it starts a new drain.
    this.running = false;
  }
}
