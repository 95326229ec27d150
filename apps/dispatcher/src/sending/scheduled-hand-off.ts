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
}

/** The columns of a claimed delivery (a DueDelivery), for `RETURNING` lists of its claims. */
export const DUE_DELIVERY_COLUMNS =
  'd.id, d.account_id, d.destination_id, d.conversion_id, d.click_id, d.attempts, ' +
  'd.conversion, d.rendered, d.window_started_at';

/**
 * Where the scheduler hands the deliveries it has just written (their DeliveryScheduled is on
 * the topic): it leases as many as the sender can take in the same statement, so a fresh
 * delivery costs no separate claim and is not read back (SPEC section 4).
 */
export interface ScheduledHandOff {
  /** Reserves room for up to `wanted` deliveries; returns how many may be handed over. */
  reserve(wanted: number): number;
  /**
   * The leased deliveries (at most the reserved count; `reserved` as reserve() returned it,
   * also when nothing could be handed over, e.g. the transaction failed); `untaken` more were
   * written sendable without a lease, for the claims to pick up.
   */
  take(rows: DueDelivery[], reserved: number, untaken: number): void;
}
