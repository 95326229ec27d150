import type { ConversionRecordedEvent, DestinationChangedPayload } from '@tracker/contracts';

/**
 * Which destinations a conversion goes to (SPEC section 4): the account's enabled destinations
 * of its integration (or of every integration), whose `stages` contain the conversion's stage —
 * so a reversal only where `stages` contains `reversal` —, and only when the conversion occurred
 * at or after the destination was created or last enabled (`activeSince`): enabling one never
 * sends the past, and replaying old conversions matches nothing new.
 */
export function matchingDestinations(
  conversion: ConversionRecordedEvent,
  destinations: Iterable<DestinationChangedPayload>,
): DestinationChangedPayload[] {
  const occurredAt = Date.parse(conversion.occurredAt);
  const matches: DestinationChangedPayload[] = [];
  for (const destination of destinations) {
    if (destination.accountId !== conversion.accountId) continue;
    if (!destination.enabled) continue;
    if (
      destination.integrationId !== null &&
      destination.integrationId !== conversion.integrationId
    ) {
      continue;
    }
    if (!destination.stages.includes(conversion.payload.stage)) continue;
    if (occurredAt < Date.parse(destination.activeSince)) continue;
    matches.push(destination);
  }
  return matches;
}
