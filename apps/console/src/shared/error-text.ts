import type { TFunction } from 'i18next';
import { ApiDownError, ApiError } from '../api/client';

/** What the console says about a failed request. */
export interface ErrorText {
  /** A short lead shown in bold before `text` (`404`, "The tracker API is not answering."). */
  title: string | null;
  /** The sentence in the page's language. */
  text: string;
  /** The server's own (English) words when `text` is not them, shown small beside it; else null. */
  detail: string | null;
}

/**
 * The console's label for each request field the API may name in a `400` (SPEC section 4,
 * `field`), as a translation key. A form that knows a closer label for its own field passes it
 * instead (`fieldLabel`); a field not listed here is named as the API names it.
 */
export const FIELD_LABEL_KEYS: Readonly<Record<string, string>> = {
  name: 'integration.settings.name',
  clickIdParam: 'integrations.clickIdParam',
  amountParam: 'integration.settings.amountParam',
  defaultCurrency: 'integration.settings.currency',
  fieldParams: 'integration.settings.fields',
  statusParam: 'integration.settings.statusParam',
  kind: 'integration.events.kind',
  label: 'integration.events.label',
  baseUrl: 'links.base',
  integrationId: 'common.integration',
  stages: 'destinations.form.stages',
  method: 'destinations.form.method',
  url: 'destinations.form.url',
  headers: 'destinations.form.headers',
  body: 'destinations.form.body',
  clickId: 'logs.cols.clickId',
  event: 'logs.cols.event',
  status: 'logs.cols.status',
  campaign: 'funnel.campaign',
  events: 'integration.events.title',
  registrationLinks: 'links.title',
};

/** Statuses a user can cause, each with its own sentence under `errors.api` (SPEC section 4). */
const STATUS_KEYS: Readonly<Record<number, string>> = {
  400: 'errors.api.badRequest',
  401: 'errors.api.unauthorized',
  403: 'errors.api.forbidden',
  409: 'errors.api.conflict',
  413: 'errors.api.tooLarge',
  429: 'errors.api.tooMany',
  503: 'errors.api.unavailable',
};

/**
 * How a failed request reads in the console (the API's errors are `{statusCode, message,
 * field?}` in English, SPEC section 4):
 * - the API not reachable (`ApiDownError`): "not answering", in either language;
 * - `404`: "not found (or not in this account)", in either language;
 * - any other `ApiError` in English: the server's message as it is;
 * - in Russian: a Russian sentence for the status — a `400` naming a field says which, by
 *   `fieldLabel`, else the console's label for that field (`FIELD_LABEL_KEYS`), else the API's
 *   name; `401`, `403`, `409`, `413`, `429`, `503` ("broker or database unavailable, nothing
 *   changed, try again") and other 4xx/5xx have their own — with the server's message as `detail`;
 *   a page that knows what a `409` means for its action (the last API key, an integration that
 *   destinations use) passes that sentence as `conflictText`;
 * - anything else thrown: its message.
 * `t` must be fixed to `language` (`useTranslation().t`, or `i18n.getFixedT(language)`).
 */
export function errorText(
  error: unknown,
  language: 'en' | 'ru',
  t: TFunction,
  fieldLabel?: string,
  conflictText?: string,
): ErrorText {
  if (error instanceof ApiDownError) {
    // `unreachable` is the client's own word for a failed fetch; `HTTP 502` is worth keeping.
    const detail = /^HTTP \d{3}$/.test(error.message) ? error.message : null;
    return { title: t('errors.down.title'), text: t('errors.down.text'), detail };
  }
  if (!(error instanceof ApiError)) {
    return {
      title: null,
      text: error instanceof Error ? error.message : String(error),
      detail: null,
    };
  }
  const message = error.message.trim();
  const russian = language === 'ru';
  if (error.status === 404) {
    return {
      title: '404',
      text: t('errors.notFound'),
      detail: russian && message ? message : null,
    };
  }
  if (!russian && message) return { title: null, text: message, detail: null };
  let text: string;
  if (error.status === 400 && error.field) {
    const known = FIELD_LABEL_KEYS[error.field];
    text = t('errors.api.field', { field: fieldLabel ?? (known ? t(known) : error.field) });
  } else if (error.status === 409 && conflictText) {
    text = conflictText;
  } else if (STATUS_KEYS[error.status]) {
    text = t(STATUS_KEYS[error.status]);
  } else if (error.status >= 500) {
    text = t('errors.api.server', { status: error.status });
  } else {
    text = t('errors.api.other', { status: error.status });
  }
  return { title: null, text, detail: message || null };
}
