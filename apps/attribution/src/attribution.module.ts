import { Module } from '@nestjs/common';
import { DatabaseModule } from '@tracker/database';
import { DirectoryModule } from '@tracker/directory';
import { ClickJourneyQuery } from './clicks/click-journey.query';
import { ClicksController } from './clicks/clicks.controller';
import { ConversionsController } from './conversions/conversions.controller';
import { ConversionsQuery } from './conversions/conversions.query';
import { FunnelController } from './funnel/funnel.controller';
import { FunnelQuery } from './funnel/funnel.query';
import { CreateAttribution1764100000000 } from './migrations/1764100000000-CreateAttribution';
import { PostbackReversals1764400000000 } from './migrations/1764400000000-PostbackReversals';
import { AttributionOutboxRelay } from './outbox/outbox.relay';
import { CheckPostbackHandler } from './postback-check/check-postback.handler';
import { PostbackCheckController } from './postback-check/postback-check.controller';
import { AttributionProjection } from './projection/attribution.projection';
import { ATTRIBUTION_DB, ATTRIBUTION_SCHEMA } from './shared/schema';

/** Clicks, conversions, funnel and click journeys (SPEC sections 4–5). */
@Module({
  imports: [
    DirectoryModule,
    DatabaseModule.forApp({
      name: ATTRIBUTION_DB,
      schema: ATTRIBUTION_SCHEMA,
      entities: [],
      migrations: [CreateAttribution1764100000000, PostbackReversals1764400000000],
    }),
  ],
  controllers: [ClicksController, FunnelController, ConversionsController, PostbackCheckController],
  providers: [
    AttributionProjection,
    AttributionOutboxRelay,
    ClickJourneyQuery,
    FunnelQuery,
    ConversionsQuery,
    CheckPostbackHandler,
  ],
})
export class AttributionModule {}
