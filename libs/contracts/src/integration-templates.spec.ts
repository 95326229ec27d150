import {
  findIntegrationTemplate,
  INTEGRATION_TEMPLATES,
  isIntegrationTemplateId,
} from './integration-templates';

const POCKET_DEFAULTS = {
  clickIdParam: 'click_id',
  amountParam: 'sumdep',
  defaultCurrency: 'USD',
  fieldParams: { trader_id: 'trader_id' },
};

describe('integration templates (SPEC section 4)', () => {
  it('are exactly the three specified, in order', () => {
    expect(INTEGRATION_TEMPLATES).toEqual([
      {
        id: 'pocket-option-revshare',
        name: 'PocketOption RevShare',
        ...POCKET_DEFAULTS,
        events: [
          { name: 'registration', label: 'Registration', kind: 'registration', params: {} },
          { name: 'conf', label: 'Email confirmation', kind: 'email_confirmation', params: {} },
          { name: 'resale', label: 'Deposit', kind: 'deposit', params: { currency: 'usd' } },
        ],
      },
      {
        id: 'pocket-option-revshare-v2',
        name: 'PocketOption RevShare [v2]',
        ...POCKET_DEFAULTS,
        events: [
          { name: 'registration', label: 'Registration', kind: 'registration', params: {} },
          {
            name: 'emailconf',
            label: 'Email confirmation',
            kind: 'email_confirmation',
            params: {},
          },
          { name: 'sale', label: 'First deposit', kind: 'first_deposit', params: {} },
          { name: 'resale', label: 'Deposit', kind: 'deposit', params: {} },
          { name: 'withdraw', label: 'Withdrawal', kind: 'withdrawal', params: {} },
          { name: 'Revshare', label: 'Commission', kind: 'commission', params: {} },
        ],
      },
      {
        id: 'custom',
        name: 'Custom',
        clickIdParam: 'click_id',
        amountParam: null,
        defaultCurrency: null,
        fieldParams: {},
        events: [],
      },
    ]);
  });

  it('keep the seed document postback parameters in order', () => {
    const resale = findIntegrationTemplate('pocket-option-revshare')?.events[2];
    expect(Object.entries(resale?.params ?? {})).toEqual([['currency', 'usd']]);
  });

  it('are frozen, so no caller can corrupt the shared copy', () => {
    const template = INTEGRATION_TEMPLATES[0];
    expect(Object.isFrozen(INTEGRATION_TEMPLATES)).toBe(true);
    expect(Object.isFrozen(template.events)).toBe(true);
    expect(Object.isFrozen(template.events[2].params)).toBe(true);
    expect(Object.isFrozen(template.fieldParams)).toBe(true);
  });

  it('are found by id', () => {
    expect(findIntegrationTemplate('custom')?.name).toBe('Custom');
    expect(findIntegrationTemplate('nope')).toBeUndefined();
    expect(isIntegrationTemplateId('pocket-option-revshare-v2')).toBe(true);
    expect(isIntegrationTemplateId('Custom')).toBe(false);
  });
});
