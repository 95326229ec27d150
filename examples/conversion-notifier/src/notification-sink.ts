import { Injectable, Logger } from '@nestjs/common';

/**
 * Where notifications go: the log here; a real bot would call its chat API. Remembers the
 * event ids it announced (bounded), because the transport delivers at least once.
 */
@Injectable()
export class NotificationSink {
  private readonly logger = new Logger('conversion-notifier');
  private readonly seen = new Set<string>();
  readonly sent: Array<{ eventId: string; text: string }> = [];

  /** False when this event was announced already (a redelivery after a restart or rebalance). */
  announce(eventId: string, text: string): boolean {
    if (this.seen.has(eventId)) return false;
    this.seen.add(eventId);
    if (this.seen.size > 100_000) this.seen.delete(this.seen.values().next().value!);
    this.sent.push({ eventId, text });
    if (this.sent.length > 1000) this.sent.shift();
    this.logger.log(text);
    return true;
  }
}
