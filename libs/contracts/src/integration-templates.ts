import type { EventKind } from './vocabulary';

/**
 * Ready-made integrations (SPEC section 4, `GET /api/integration-templates`). Binding: the
 * ids are stored on integrations and the event names are pasted into partner cabinets.
 */
export const IntegrationTemplateIds = {
  PocketOptionRevShare: 'pocket-option-revshare',
  PocketOptionRevShareV2: 'pocket-option-revshare-v2',
  Custom: 'custom',
} as const;

export type IntegrationTemplateId =
  (typeof IntegrationTemplateIds)[keyof typeof IntegrationTemplateIds];

export interface IntegrationTemplateEvent {
  readonly name: string;
  readonly label: string;
  readonly kind: EventKind;
  /** Fixed parameters appended, in order, to the event's postback URL. */
  readonly params: Readonly<Record<string, string>>;
}

export interface IntegrationTemplate {
  readonly id: IntegrationTemplateId;
  readonly name: string;
  readonly clickIdParam: string;
  readonly amountParam: string | null;
  readonly defaultCurrency: string | null;
  readonly fieldParams: Readonly<Record<string, string>>;
  readonly events: readonly IntegrationTemplateEvent[];
}

// Pocket Option's macros, shared by both RevShare versions ("same defaults").
const POCKET_OPTION_DEFAULTS = {
  clickIdParam: 'click_id',
  amountParam: 'sumdep',
  defaultCurrency: 'USD',
  fieldParams: { trader_id: 'trader_id' },
} as const;

/** The seed document's setup: three postbacks, the deposit one fixing `currency=usd`. */
const POCKET_OPTION_REVSHARE: IntegrationTemplate = {
  id: IntegrationTemplateIds.PocketOptionRevShare,
  name: 'PocketOption RevShare',
  ...POCKET_OPTION_DEFAULTS,
  events: [
    { name: 'registration', label: 'Registration', kind: 'registration', params: {} },
    { name: 'conf', label: 'Email confirmation', kind: 'email_confirmation', params: {} },
    { name: 'resale', label: 'Deposit', kind: 'deposit', params: { currency: 'usd' } },
  ],
};

/**
 * The extended set. SPEC lists no fixed parameters for its events: amounts fall back to the
 * template's `defaultCurrency` (USD), so none are added.
 */
const POCKET_OPTION_REVSHARE_V2: IntegrationTemplate = {
  id: IntegrationTemplateIds.PocketOptionRevShareV2,
  name: 'PocketOption RevShare [v2]',
  ...POCKET_OPTION_DEFAULTS,
  events: [
    { name: 'registration', label: 'Registration', kind: 'registration', params: {} },
    { name: 'emailconf', label: 'Email confirmation', kind: 'email_confirmation', params: {} },
    { name: 'sale', label: 'First deposit', kind: 'first_deposit', params: {} },
    { name: 'resale', label: 'Deposit', kind: 'deposit', params: {} },
    { name: 'withdraw', label: 'Withdrawal', kind: 'withdrawal', params: {} },
    { name: 'Revshare', label: 'Commission', kind: 'commission', params: {} },
  ],
};

/**
 * A blank integration: the user adds the events. `click_id` is the most common click id
 * parameter; amount parameter and currency are unknown for an arbitrary partner, so they
 * stay null until set (amounts can still come in `tracker.cost` / `tracker.currency`).
 */
const CUSTOM: IntegrationTemplate = {
  id: IntegrationTemplateIds.Custom,
  name: 'Custom',
  clickIdParam: 'click_id',
  amountParam: null,
  defaultCurrency: null,
  fieldParams: {},
  events: [],
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * In the order the template list shows them. Frozen because they are shared by every
 * caller: copy a template's parts into a new integration, never mutate them.
 */
export const INTEGRATION_TEMPLATES: readonly IntegrationTemplate[] = deepFreeze([
  POCKET_OPTION_REVSHARE,
  POCKET_OPTION_REVSHARE_V2,
  CUSTOM,
]);

export function findIntegrationTemplate(id: string): IntegrationTemplate | undefined {
  return INTEGRATION_TEMPLATES.find((template) => template.id === id);
}

export function isIntegrationTemplateId(id: string): id is IntegrationTemplateId {
  return findIntegrationTemplate(id) !== undefined;
}
