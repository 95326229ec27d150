import type { AnyEvent, PostbackReceivedEvent } from '@tracker/contracts';
import type { DeferredWrite } from '@tracker/kafka';

type Write = (events: ReadonlyArray<AnyEvent | null>) => Promise<void>;

/** A consumed message as far as holding it goes (a ConsumedEvent is one). */
export interface HeldInput {
  event: AnyEvent | null;
  /** Bytes of the message as read; unknown counts as 4 KiB. */
  size?: number;
}

const UNKNOWN_SIZE = 4096;

export interface HeldPostbacksOptions {
  /**
   * How long after the ingress received it (`receivedAt`) a postback may wait in memory for its
   * outcome, in ms. An older one (a backlog, a replay, a postback from the spool) is written at
   * once, as is every postback while `maxHeld` wait.
   */
  holdMs: number;
  /** Postbacks held at most at once. */
  maxHeld: number;
  /** Bytes of held messages at most at once (a partner may send large bodies). */
  maxHeldBytes: number;
  /** Epoch ms (tests drive it). */
  now?: () => number;
}

interface Held {
  event: PostbackReceivedEvent;
  size: number;
  /** Epoch ms after which the postback is written alone. */
  deadline: number;
  written: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Postback ids remembered because their outcome was written before them (bounded). */
const OUTCOME_FIRST_LIMIT = 50_000;
/** Holding stops for this long, in holds (`holdMs`), when most held postbacks waited in vain. */
const PAUSE_HOLDS = 3;

/**
 * The postback log's handler: holds a fresh postback back until its outcome arrives, so the row
 * is written once, whole, instead of inserted and then updated. The outcome's update touched
 * every index of the row again (its status is indexed, so it is never HOT), the trigram index
 * included: two writes were over half of PostgreSQL's time under B6 (issue 15).
 *
 * - A postback whose outcome is in the same call is written with it at once.
 * - A fresh one without it is held (the call returns a DeferredWrite, so the consumer commits
 *   its offset only once it is written) until an outcome claims it, or `holdMs` after its
 *   receipt, when it is written alone as `received`.
 * - An outcome that finds its postback held writes the two together, in its own call; if that
 *   write fails the postback is held again and the call fails as usual.
 * - A postback whose outcome was written before it (it came first) is not held: nothing more
 *   will come for it.
 * - A held postback's failed write fails its DeferredWrite: the consumer reads the partition
 *   again, and by then the postback is past its deadline, so it is written at once, with the
 *   consumer's retries and dead-lettering.
 *
 * Idempotent like the writer: the same postback held twice (read again after a restart) is one
 * entry.
 *
 * When most postbacks held over the last `holdMs` were written alone (attribution is away or
 * far behind: a saturated machine, an outage), holding stops for three times that: waiting
 * would only list them later and cost memory, and nothing would be written once anyway.
 */
export class HeldPostbacks {
  private readonly held = new Map<string, Held>();
  private readonly outcomeFirst = new Set<string>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private heldBytes = 0;
  /** Since when, and how held postbacks ended: claimed by their outcome, or written alone. */
  private window = { since: 0, joined: 0, alone: 0 };
  private pausedUntil = 0;
  /** Postbacks written with their outcome after being held, and alone at their deadline. */
  readonly stats = { joined: 0, alone: 0 };

  constructor(
    private readonly write: Write,
    private readonly options: HeldPostbacksOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.window.since = this.now();
  }

  /** Postbacks waiting now. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Writes what can be written now and holds the fresh postbacks without their outcome.
   * @returns a DeferredWrite for the held ones, or nothing when none was held.
   * @throws the write's error (nothing of this call is held then).
   */
  async handle(messages: ReadonlyArray<HeldInput>): Promise<void | DeferredWrite> {
    const now = this.now();
    const outcomes = new Set<string>();
    const postbacks = new Set<string>();
    for (const { event } of messages) {
      if (event?.type === 'PostbackProcessed') outcomes.add(event.payload.postbackId);
      else if (event?.type === 'PostbackReceived') postbacks.add(event.id);
    }
    const claimed: Held[] = [];
    for (const id of outcomes) {
      const entry = this.take(id);
      if (entry) claimed.push(entry);
      else if (!postbacks.has(id)) this.rememberOutcomeFirst(id);
    }
    const toHold: Array<{ event: PostbackReceivedEvent; size: number }> = [];
    let room = {
      count: this.options.maxHeld - this.held.size,
      bytes: this.options.maxHeldBytes - this.heldBytes,
    };
    const writeNow: Array<AnyEvent | null> = [];
    for (const { event, size = UNKNOWN_SIZE } of messages) {
      if (
        event?.type === 'PostbackReceived' &&
        !outcomes.has(event.id) &&
        this.mayHold(event, size, now, room)
      ) {
        toHold.push({ event, size });
        if (!this.held.has(event.id)) room = { count: room.count - 1, bytes: room.bytes - size };
      } else {
        writeNow.push(event);
      }
    }
    for (const entry of claimed) writeNow.push(entry.event);
    if (writeNow.length > 0) {
      try {
        await this.write(writeNow);
      } catch (error) {
        for (const entry of claimed) this.holdAgain(entry);
        throw error;
      }
    }
    for (const entry of claimed) entry.resolve();
    this.stats.joined += claimed.length;
    this.window.joined += claimed.length;
    this.judgeWindow(now);
    if (toHold.length === 0) return;
    if (this.closed) {
      // Stopped while this call wrote: its postbacks go now, not after the final flush.
      await this.write(toHold.map(({ event }) => event));
      return;
    }
    return { written: this.hold(toHold, now) };
  }

  /** Writes every held postback now and holds no more (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush(Number.POSITIVE_INFINITY);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Writes the postbacks whose deadline is at or before `until` (the timer: now). */
  async flush(until: number = this.now()): Promise<void> {
    const due: Held[] = [];
    for (const entry of this.held.values()) if (entry.deadline <= until) due.push(entry);
    if (due.length === 0) return;
    for (const entry of due) this.take(entry.event.id);
    try {
      await this.write(due.map((entry) => entry.event));
    } catch (error) {
      for (const entry of due) entry.reject(error);
      return;
    }
    this.stats.alone += due.length;
    this.window.alone += due.length;
    for (const entry of due) entry.resolve();
    this.judgeWindow(this.now());
  }

  /** Whether postbacks are held now (false while paused after a window of vain waits). */
  get holding(): boolean {
    return !this.closed && this.now() >= this.pausedUntil;
  }

  private judgeWindow(now: number): void {
    if (now - this.window.since < this.options.holdMs) return;
    if (this.window.alone > this.window.joined) {
      this.pausedUntil = now + PAUSE_HOLDS * this.options.holdMs;
    }
    this.window = { since: now, joined: 0, alone: 0 };
  }

  /** `room`: what is left for new entries after the call's own postbacks set aside so far. */
  private mayHold(
    event: PostbackReceivedEvent,
    size: number,
    now: number,
    room: { count: number; bytes: number },
  ): boolean {
    if (this.closed || now < this.pausedUntil || this.outcomeFirst.has(event.id)) return false;
    if (!this.held.has(event.id) && (room.count < 1 || room.bytes < size)) return false;
    const receivedAt = Date.parse(event.payload.receivedAt);
    return Number.isFinite(receivedAt) && receivedAt + this.options.holdMs > now;
  }

  private take(id: string): Held | undefined {
    const entry = this.held.get(id);
    if (!entry) return undefined;
    this.held.delete(id);
    this.heldBytes -= entry.size;
    return entry;
  }

  private put(entry: Held): void {
    this.held.set(entry.event.id, entry);
    this.heldBytes += entry.size;
  }

  /**
   * A claimed postback whose write with its outcome failed waits again. If it was read and held
   * again meanwhile (a rewind or a rejoin), the newer entry stands for both.
   */
  private holdAgain(entry: Held): void {
    const newer = this.held.get(entry.event.id);
    if (newer) newer.written.then(entry.resolve, entry.reject);
    else this.put(entry);
  }

  private hold(
    postbacks: Array<{ event: PostbackReceivedEvent; size: number }>,
    now: number,
  ): Promise<void> {
    const written = postbacks.map(({ event, size }) => {
      const known = this.held.get(event.id);
      if (known) return known.written;
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      // Its batch may be dropped as stale meanwhile: nobody else may be waiting for it.
      promise.catch(() => undefined);
      // From its receipt, but never from the future: an ingress clock ahead of this one must
      // not hold postbacks (and their partition's commits) longer than `holdMs`.
      const deadline = Math.min(Date.parse(event.payload.receivedAt), now) + this.options.holdMs;
      this.put({ event, size, deadline, written: promise, resolve, reject });
      return promise;
    });
    this.arm();
    return Promise.all(written).then(() => undefined);
  }

  private arm(): void {
    if (this.timer) return;
    // Ten checks per hold: a postback waits at most a tenth longer than `holdMs`.
    const every = Math.max(20, Math.floor(this.options.holdMs / 10));
    this.timer = setInterval(() => {
      if (this.held.size === 0) {
        if (this.timer) clearInterval(this.timer);
        this.timer = null;
        return;
      }
      void this.flush();
    }, every);
    this.timer.unref();
  }

  private rememberOutcomeFirst(id: string): void {
    if (this.outcomeFirst.size >= OUTCOME_FIRST_LIMIT) {
      const oldest = this.outcomeFirst.values().next().value;
      if (oldest !== undefined) this.outcomeFirst.delete(oldest);
    }
    this.outcomeFirst.add(id);
  }
}
