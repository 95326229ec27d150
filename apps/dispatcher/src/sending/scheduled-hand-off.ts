import { ConversionRecordedEvent } from '@tracker/contracts';
import { RenderedRequest } from '@tracker/destinations';

/** Longer than one attempt can take (10 s): a crashed sender's deliveries are sent again after it. */
export const LEASE_MS = 30_000;

/** A delivery a sender holds the lease of, with what its attempt needs. */
export interface DueDelivery {
  id: string;
  account_id: string;
  destination_id: string;
  conversion_id: string;
  click_id: string;
  attempts: number;
  conversion: ConversionRecordedEvent | null;
  rendered: RenderedRequest | null;
  window_started_at: Date | null;
  /**
   * Handed over by the scheduler while its row is being written: settles once the row is
   * committed (its attempt is recorded only then), rejects when the write failed.
   */
  written?: Promise<unknown>;
}

/** The columns of a claimed delivery (a DueDelivery), for `RETURNING` lists of its claims. */
export const DUE_DELIVERY_COLUMNS =
  'd.id, d.account_id, d.destination_id, d.conversion_id, d.click_id, d.attempts, ' +
  'd.conversion, d.rendered, d.window_started_at';

/**
 * Where the scheduler hands the deliveries it is writing (their DeliveryScheduled is on the
 * topic): it leases as many as the sender can take in the same statement, so a fresh delivery
 * costs no separate claim and is not read back, and the sender sends them while the rows are
 * written (SPEC section 4).
 */
export interface ScheduledHandOff {
  /** Reserves room for up to `wanted` deliveries; returns how many may be handed over. */
  reserve(wanted: number): number;
  /**
   * The deliveries being written leased to this sender (at most the reserved count; `reserved`
   * as reserve() returned it, also when nothing is handed over): sent at once, each attempt
   * recorded once `written` resolved. `written` resolves with how many more were written
   * sendable without a lease (for the claims to pick up); when it rejects, nothing was written
   * and the attempts are not recorded (the scheduler's batch comes again and sends them again
   * with the same key).
   */
  take(rows: DueDelivery[], reserved: number, written: Promise<{ untaken: number }>): void;
}
