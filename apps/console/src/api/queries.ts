import { useQuery } from '@tanstack/react-query';
import { api, query } from './client';
import type {
  Destination,
  DestinationTemplate,
  Integration,
  Page,
  RegistrationLink,
  Template,
} from './types';

export {
  CONVERSION_STAGES,
  EVENT_KINDS,
  POSTBACK_STATUSES,
} from '../../../../libs/contracts/src/vocabulary';

/** Query keys in one place, so a mutation invalidates exactly what it changed. */
export const keys = {
  account: ['account'] as const,
  templates: ['integration-templates'] as const,
  integrations: ['integrations'] as const,
  integration: (id: string) => ['integrations', id] as const,
  links: (id: string) => ['integrations', id, 'registration-links'] as const,
  apiKeys: ['api-keys'] as const,
  destinationTemplates: ['destination-templates'] as const,
  destinations: ['destinations'] as const,
  deliveries: ['deliveries'] as const,
};

export function useTemplates() {
  return useQuery({
    queryKey: keys.templates,
    queryFn: () => api<Template[]>('GET', '/api/integration-templates'),
    staleTime: 60_000,
  });
}

/** Pages of one list the console follows at most (500 each). */
const MAX_LIST_PAGES = 20;

/**
 * Every item of a list route: lists are paged (SPEC section 4, `limit` ≤ 500, `nextCursor`
 * null on the last page), so this follows `nextCursor` page after page, at most
 * MAX_LIST_PAGES of 500.
 */
export async function fetchAllPages<T>(path: string): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null | undefined = null;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const body: Page<T> = await api<Page<T>>('GET', `${path}${query({ limit: 500, cursor })}`);
    all.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return all;
}

/** Every integration of the account, for the selects, the catalogue and the Start page. */
export function useIntegrations(refetchInterval?: number) {
  return useQuery({
    queryKey: keys.integrations,
    queryFn: () => fetchAllPages<Integration>('/api/integrations'),
    refetchInterval,
  });
}

export function useIntegration(id: string, refetchInterval?: number) {
  return useQuery({
    queryKey: keys.integration(id),
    queryFn: () => api<Integration>('GET', `/api/integrations/${encodeURIComponent(id)}`),
    refetchInterval,
  });
}

export function useRegistrationLinks(id: string) {
  return useQuery({
    queryKey: keys.links(id),
    queryFn: () =>
      fetchAllPages<RegistrationLink>(
        `/api/integrations/${encodeURIComponent(id)}/registration-links`,
      ),
  });
}

export function useDestinationTemplates() {
  return useQuery({
    queryKey: keys.destinationTemplates,
    queryFn: () => api<DestinationTemplate[]>('GET', '/api/destination-templates'),
    staleTime: 60_000,
  });
}

export function useDestinations() {
  return useQuery({
    queryKey: keys.destinations,
    queryFn: () => fetchAllPages<Destination>('/api/destinations'),
  });
}
