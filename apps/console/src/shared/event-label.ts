import type { TFunction } from 'i18next';

/**
 * The label each integration template gives an event of a kind (libs/contracts
 * integration-templates.ts, SPEC section 4 Integrations): the API answers it in English.
 */
export const TEMPLATE_EVENT_LABELS: Readonly<Record<string, string>> = {
  registration: 'Registration',
  email_confirmation: 'Email confirmation',
  first_deposit: 'First deposit',
  deposit: 'Deposit',
  withdrawal: 'Withdrawal',
  commission: 'Commission',
};

/**
 * What the console calls an event: a template's own English label in the chosen language (by the
 * event's kind), a label the user typed as typed, the event's name when it has no label.
 */
export function eventLabel(
  event: { name: string; kind: string; label?: string | null },
  t: TFunction,
): string {
  const label = event.label?.trim() ?? '';
  if (!label) return event.name;
  if (TEMPLATE_EVENT_LABELS[event.kind] === label) {
    return t(`eventLabel.${event.kind}`, { defaultValue: label });
  }
  return label;
}
