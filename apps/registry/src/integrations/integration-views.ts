import { IntegrationEventResponse } from '../integration-events/integration-event.dto';
import { IntegrationEventEntity } from '../integration-events/integration-event.entity';
import { postbackUrl } from '../integration-events/postback-url';
import { RegistrationLinkResponse } from '../registration-links/registration-link.dto';
import { RegistrationLinkEntity } from '../registration-links/registration-link.entity';
import { IntegrationResponse } from './integration.dto';
import { IntegrationRecord } from './integration-record';

export function toEventView(
  publicBaseUrl: string,
  event: IntegrationEventEntity,
): IntegrationEventResponse {
  return {
    name: event.name,
    label: event.label,
    kind: event.kind,
    params: event.params,
    postbackUrl: postbackUrl(publicBaseUrl, event.integrationId, event.name, event.params),
    receivedCount: Number(event.receivedCount),
    lastReceivedAt: event.lastReceivedAt?.toISOString() ?? null,
  };
}

export function toLinkView(
  publicBaseUrl: string,
  link: RegistrationLinkEntity,
): RegistrationLinkResponse {
  return {
    id: link.id,
    name: link.name,
    baseUrl: link.baseUrl,
    finalUrl: link.finalUrl,
    trackingUrl: `${publicBaseUrl}/r/${link.id}`,
  };
}

export function toIntegrationView(
  publicBaseUrl: string,
  record: IntegrationRecord,
): IntegrationResponse {
  const { integration } = record;
  return {
    id: integration.id,
    name: integration.name,
    template: integration.template,
    clickIdParam: integration.clickIdParam,
    amountParam: integration.amountParam,
    defaultCurrency: integration.defaultCurrency,
    fieldParams: integration.fieldParams,
    enabled: integration.enabled,
    rateLimitPerSecond: integration.rateLimitPerSecond,
    statusParam: integration.statusParam,
    reversalStatuses: integration.reversalStatuses,
    tidParam: integration.tidParam,
    createdAt: integration.createdAt.toISOString(),
    updatedAt: integration.updatedAt.toISOString(),
    events: record.events.map((event) => toEventView(publicBaseUrl, event)),
    registrationLinks: record.links.map((link) => toLinkView(publicBaseUrl, link)),
  };
}
