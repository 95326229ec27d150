import {
  IntegrationChangedPayload,
  mergePostbackParams,
  readRecordedRoles,
} from '@tracker/contracts';

export type QueryParams = Record<string, string | string[]>;

/** What the ingress records of a postback's roles: the event and the click id as resolved. */
export interface ResolvedPostback {
  /** `tracker.event` (trimmed), or null when missing or empty: judging it is attribution's job. */
  event: string | null;
  /**
   * The click id as resolved by the shared reading (trimmed), else the first non-empty
   * candidate as sent (even an unsubstituted macro, so the log shows it), else null.
   */
  clickId: string | null;
}

/** The ingress's part of the one reading of `libs/contracts` (SPEC section 5 "Reading values"). */
export function resolvePostback(
  integration: Pick<IntegrationChangedPayload, 'clickIdParam'>,
  query: QueryParams,
  body: Record<string, unknown> | null,
): ResolvedPostback {
  return readRecordedRoles(mergePostbackParams(query, body), integration);
}
