/**
 * The URL a marketer pastes into the partner's cabinet for one event (SPEC section 4):
 * `tracker.event` first, then the event's fixed parameters in order, values URL-encoded.
 */
export function postbackUrl(
  publicBaseUrl: string,
  integrationId: string,
  eventName: string,
  params: Record<string, string>,
): string {
  const query = [
    `tracker.event=${encodeURIComponent(eventName)}`,
    ...Object.entries(params).map(
      ([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
    ),
  ].join('&');
  return `${publicBaseUrl}/api/postbacks/${integrationId}/tracker-postback?${query}`;
}
