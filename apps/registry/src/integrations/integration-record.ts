import { IntegrationChangedPayload } from '@tracker/contracts';
import { EntityManager, In } from 'typeorm';
import { IntegrationEventEntity } from '../integration-events/integration-event.entity';
import { RegistrationLinkEntity } from '../registration-links/registration-link.entity';
import { IntegrationEntity } from './integration.entity';

/** An integration with its events (in order) and registration links, as stored. */
export interface IntegrationRecord {
  integration: IntegrationEntity;
  events: IntegrationEventEntity[];
  links: RegistrationLinkEntity[];
}

/** Loads integrations with their events and links in three queries, keeping the given order. */
export async function loadIntegrationRecords(
  manager: EntityManager,
  integrations: IntegrationEntity[],
): Promise<IntegrationRecord[]> {
  if (integrations.length === 0) return [];
  const ids = integrations.map((integration) => integration.id);
  const [events, links] = await Promise.all([
    manager.getRepository(IntegrationEventEntity).find({
      where: { integrationId: In(ids) },
      order: { position: 'ASC' },
    }),
    manager.getRepository(RegistrationLinkEntity).find({
      where: { integrationId: In(ids) },
      order: { createdAt: 'ASC', id: 'ASC' },
    }),
  ]);
  return integrations.map((integration) => ({
    integration,
    events: events.filter((event) => event.integrationId === integration.id),
    links: links.filter((link) => link.integrationId === integration.id),
  }));
}

/** The full snapshot published on `tracker.integrations.v1` (no per-deployment derived data). */
export function toIntegrationSnapshot(record: IntegrationRecord): IntegrationChangedPayload {
  const { integration } = record;
  return {
    id: integration.id,
    accountId: integration.accountId,
    name: integration.name,
    template: integration.template,
    clickIdParam: integration.clickIdParam,
    amountParam: integration.amountParam,
    defaultCurrency: integration.defaultCurrency,
    fieldParams: integration.fieldParams,
    enabled: integration.enabled,
    createdAt: integration.createdAt.toISOString(),
    updatedAt: integration.updatedAt.toISOString(),
    rateLimitPerSecond: integration.rateLimitPerSecond,
    statusParam: integration.statusParam,
    reversalStatuses: integration.reversalStatuses,
    tidParam: integration.tidParam,
    events: record.events.map((event) => ({
      name: event.name,
      label: event.label,
      kind: event.kind,
      params: event.params,
    })),
    registrationLinks: record.links.map((link) => ({
      id: link.id,
      name: link.name,
      baseUrl: link.baseUrl,
      finalUrl: link.finalUrl,
    })),
  };
}
