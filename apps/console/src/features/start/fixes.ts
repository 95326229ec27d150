import type { TFunction } from 'i18next';
import type { PostbackLogItem } from '../../api/types';

/** The console page that holds the button fixing a problem. */
export type FixPage = 'integration' | 'links' | 'log';

/** What the start page says about one failed postback: the problem, the step, where to go. */
export interface StartFix {
  /** What went wrong, in a marketer's words (no parameter jargon). */
  problem: string;
  /** The one thing to do, naming the button and the page exactly as the console labels them. */
  step: string;
  page: FixPage;
  /** The console route of `page` for this postback (its integration, or its log entry). */
  to: string;
  /** The link's text: "Open <page>". */
  linkText: string;
}

/** Where each SPEC section 4 `errorCode` is fixed; an unknown code is explained on the log. */
const PAGE_OF: Record<string, FixPage> = {
  click_id_missing: 'integration',
  click_not_found: 'links',
  duplicate: 'log',
  event_missing: 'integration',
  unknown_event: 'integration',
  invalid_amount: 'integration',
  invalid_currency: 'integration',
  invalid_parameter: 'integration',
  reversal_not_found: 'log',
  invalid_body: 'log',
};

/** The error codes the start page explains with their own words (the others read as `other`). */
export const EXPLAINED_CODES = Object.keys(PAGE_OF);

/**
 * The start page's "what to fix" for a postback with an `errorCode` (SPEC section 4, Postback
 * logs): a plain problem, and a step that names the console's own button and page, which the
 * texts take from the labels the buttons carry (so the two never drift apart).
 */
export function startFix(
  item: Pick<PostbackLogItem, 'id' | 'integrationId' | 'errorCode'>,
  t: TFunction,
): StartFix {
  const code = item.errorCode && item.errorCode in PAGE_OF ? item.errorCode : 'other';
  const page = PAGE_OF[code] ?? 'log';
  const labels = {
    copy: t('common.copy'),
    save: t('common.save'),
    details: t('logs.details'),
    addEvent: t('integration.events.addButton'),
    eventName: t('integration.events.name'),
    amountParam: t('integration.settings.amountParam'),
    currency: t('integration.settings.currency'),
    tracking: t('links.tracking'),
    links: t('nav.links'),
    postbackUrls: t('integration.events.title'),
    settings: t('integration.settings.title'),
  };
  const to =
    page === 'integration'
      ? `/integrations/${item.integrationId}`
      : page === 'links'
        ? `/links?integrationId=${item.integrationId}`
        : `/logs?open=${item.id}`;
  return {
    problem: t(`start.fix.${code}.problem`),
    step: t(`start.fix.${code}.step`, labels),
    page,
    to,
    linkText: t(`start.fix.open.${page}`, labels),
  };
}
