import { DatabaseModule } from '@tracker/database';
import { AccountEntity } from './accounts/account.entity';
import { ApiKeyEntity } from './api-keys/api-key.entity';
import { DestinationEntity } from './destinations/destination.entity';
import { IntegrationEventEntity } from './integration-events/integration-event.entity';
import { IntegrationEntity } from './integrations/integration.entity';
import { CreateRegistrySchema1764200000000 } from './migrations/1764200000000-CreateRegistrySchema';
import { IntegrationStatusSettings1764500000000 } from './migrations/1764500000000-IntegrationStatusSettings';
import { CreateDestinations1764300000000 } from './migrations/1764300000000-CreateDestinations';
import { OutboxMessageEntity } from './outbox/outbox-message.entity';
import { ConsumerPositionEntity } from './postback-stats/consumer-position.entity';
import { RegistrationLinkEntity } from './registration-links/registration-link.entity';

/** The registry's data source name (`@InjectDataSource(REGISTRY_DB)`) and PostgreSQL schema. */
export const REGISTRY_DB = 'registry';

export const REGISTRY_DATABASE = {
  name: REGISTRY_DB,
  schema: 'registry',
  entities: [
    AccountEntity,
    ApiKeyEntity,
    IntegrationEntity,
    IntegrationEventEntity,
    RegistrationLinkEntity,
    OutboxMessageEntity,
    ConsumerPositionEntity,
    DestinationEntity,
  ],
  migrations: [
    CreateRegistrySchema1764200000000,
    CreateDestinations1764300000000,
    IntegrationStatusSettings1764500000000,
  ],
};

export const RegistryDatabaseModule = DatabaseModule.forApp(REGISTRY_DATABASE);
