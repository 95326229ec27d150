import { DestinationChangedPayload } from '@tracker/contracts';
import { maskHeaders, maskUrl } from '@tracker/destinations';
import { DestinationResponse } from './destination.dto';
import { DestinationEntity } from './destination.entity';

/** The full snapshot for `tracker.destinations.v1` (secrets in full: the dispatcher sends them). */
export function toDestinationSnapshot(destination: DestinationEntity): DestinationChangedPayload {
  return {
    id: destination.id,
    accountId: destination.accountId,
    name: destination.name,
    integrationId: destination.integrationId,
    stages: destination.stages,
    method: destination.method,
    url: destination.url,
    headers: destination.headers,
    body: destination.body,
    enabled: destination.enabled,
    createdAt: destination.createdAt.toISOString(),
    updatedAt: destination.updatedAt.toISOString(),
    activeSince: destination.activeSince.toISOString(),
  };
}

/** What the API shows: secrets masked (SPEC section 4). */
export function toDestinationView(destination: DestinationEntity): DestinationResponse {
  return {
    id: destination.id,
    name: destination.name,
    integrationId: destination.integrationId,
    stages: destination.stages,
    method: destination.method,
    url: maskUrl(destination.url),
    headers: maskHeaders(destination.headers),
    body: destination.body,
    enabled: destination.enabled,
    createdAt: destination.createdAt.toISOString(),
    updatedAt: destination.updatedAt.toISOString(),
  };
}
