import { Module } from '@nestjs/common';
import { DirectoryModule } from '@tracker/directory';
import { AccountChanges } from './accounts/account-changes';
import { AccountsController } from './accounts/accounts.controller';
import { CurrentAccountController } from './accounts/current-account.controller';
import { ApiKeysController } from './api-keys/api-keys.controller';
import { DestinationChanges } from './destinations/destination-changes';
import { DestinationTemplatesController } from './destinations/destination-templates.controller';
import { DestinationTestController } from './destinations/destination-test.controller';
import { DestinationsController } from './destinations/destinations.controller';
import { SendTestPostback } from './destinations/send-test-postback';
import { IntegrationEventsController } from './integration-events/integration-events.controller';
import { IntegrationChanges } from './integrations/integration-changes';
import { IntegrationsController } from './integrations/integrations.controller';
import { AcknowledgedChange } from './outbox/acknowledged-change';
import { RegistryOutboxRelay } from './outbox/outbox-relay';
import { PostbackStatsProjection } from './postback-stats/postback-stats.projection';
import { RegistrationLinksController } from './registration-links/registration-links.controller';
import { RegistryDatabaseModule } from './registry.database';
import { TemplatesController } from './templates/templates.controller';

/**
 * Accounts, API keys, integrations, events, registration links and outgoing-postback
 * destinations; owner of the snapshot topics.
 */
@Module({
  imports: [RegistryDatabaseModule, DirectoryModule],
  controllers: [
    AccountsController,
    CurrentAccountController,
    ApiKeysController,
    TemplatesController,
    IntegrationsController,
    IntegrationEventsController,
    RegistrationLinksController,
    DestinationTemplatesController,
    DestinationsController,
    DestinationTestController,
  ],
  providers: [
    RegistryOutboxRelay,
    AcknowledgedChange,
    AccountChanges,
    IntegrationChanges,
    DestinationChanges,
    SendTestPostback,
    PostbackStatsProjection,
  ],
})
export class RegistryModule {}
