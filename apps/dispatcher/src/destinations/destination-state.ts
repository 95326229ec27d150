import type { DestinationChangedPayload } from '@tracker/contracts';

/**
 * Why a delivery cannot go to its destination any more, or null when it can: a deleted or
 * disabled destination ends its pending deliveries and stops their retries (SPEC section 4: a
 * destination receives conversions while it is enabled); they fail with this error and a
 * manual retry sends them once the destination is enabled again.
 */
export function unsendableTo(destination: DestinationChangedPayload | undefined): string | null {
  if (!destination) return 'the destination was deleted';
  if (!destination.enabled) return 'the destination is disabled';
  return null;
}
