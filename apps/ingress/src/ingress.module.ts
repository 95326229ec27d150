import { Module } from '@nestjs/common';
import { DirectoryModule } from '@tracker/directory';
import { ClickController } from './clicks/click.controller';
import { RegisterClickHandler } from './clicks/register-click.handler';
import { DurablePublisher } from './durability/durable-publisher';
import { PostbackBodyParsers } from './http/postback-body-parsers';
import { RefusedPostbacks } from './metrics/refused-postbacks';
import { PostbackIngestController } from './postbacks/postback-ingest.controller';
import { PostbackRoute } from './postbacks/postback-route';
import { ReceivePostbackHandler } from './postbacks/receive-postback.handler';
import { IntegrationRateLimiter } from './rate-limit/integration-rate-limiter';

/** Postbacks and clicks in, durable on Kafka (or the on-disk spool) before the answer. */
@Module({
  imports: [DirectoryModule],
  controllers: [PostbackIngestController, ClickController],
  providers: [
    DurablePublisher,
    PostbackBodyParsers,
    PostbackRoute,
    RefusedPostbacks,
    IntegrationRateLimiter,
    ReceivePostbackHandler,
    RegisterClickHandler,
  ],
})
export class IngressModule {}
