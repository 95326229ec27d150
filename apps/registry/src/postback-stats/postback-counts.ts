import { ConsumedEvent } from '@tracker/kafka';
import { UUID_REGEX } from '../validation/registry-validators';

export interface EventCount {
  integrationId: string;
  event: string;
  count: number;
  lastReceivedAt: string;
}

function receivedAt(raw: string, fallback: string): string {
  return Number.isNaN(Date.parse(raw)) ? fallback : new Date(raw).toISOString();
}

/** PostbackReceived per (integration, `tracker.event`) with the latest receipt time. */
export function countPostbacks(messages: ConsumedEvent[]): EventCount[] {
  const counts = new Map<string, EventCount>();
  for (const { event } of messages) {
    if (event?.type !== 'PostbackReceived' || event.payload.event === null) continue;
    if (!UUID_REGEX.test(event.integrationId)) continue;
    const at = receivedAt(event.payload.receivedAt, event.occurredAt);
    const key = `${event.integrationId}\u0000${event.payload.event}`;
    const current = counts.get(key);
    if (current) {
      current.count += 1;
      if (at > current.lastReceivedAt) current.lastReceivedAt = at;
    } else {
      counts.set(key, {
        integrationId: event.integrationId,
        event: event.payload.event,
        count: 1,
        lastReceivedAt: at,
      });
    }
  }
  return [...counts.values()];
}
