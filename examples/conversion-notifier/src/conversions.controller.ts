import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@tracker/contracts';
import type { ConversionsMessage } from './conversion-envelope.deserializer';
import { depositMessage } from './deposit-message';
import { NotificationSink } from './notification-sink';

@Controller()
export class ConversionsController {
  private readonly logger = new Logger(ConversionsController.name);

  constructor(private readonly sink: NotificationSink) {}

  /**
   * One conversion. Throwing here (e.g. the chat API is down) leaves the offset uncommitted:
   * kafkajs retries the message instead of moving on.
   */
  @EventPattern(Topics.Conversions)
  handle(@Payload() message: ConversionsMessage): void {
    if (message.kind === 'skipped') {
      this.logger.warn(`offset ${message.offset} skipped: ${message.reason}`);
      return;
    }
    if (message.event.type !== 'ConversionRecorded') return;
    const text = depositMessage(message.event);
    if (text) this.sink.announce(message.event.id, text);
  }
}
