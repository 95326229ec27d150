import i18next from 'i18next';
// The registry's templates themselves (a test-only import: the console bundles none of libs/).
import { INTEGRATION_TEMPLATES } from '../../../../libs/contracts/src/integration-templates';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import { eventLabel, TEMPLATE_EVENT_LABELS } from './event-label';

describe('event labels', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({
      resources: { en: { translation: en }, ru: { translation: ru } },
      lng: 'ru',
      fallbackLng: 'en',
    });
  });

  it("knows every template's label for its kind", () => {
    for (const template of INTEGRATION_TEMPLATES) {
      for (const event of template.events) {
        expect(`${event.kind}: ${TEMPLATE_EVENT_LABELS[event.kind]}`).toBe(
          `${event.kind}: ${event.label}`,
        );
      }
    }
  });

  it("shows a template's label in Russian, a user's label as typed, else the name", () => {
    const t = i18n.getFixedT('ru');
    expect(
      eventLabel({ name: 'conf', kind: 'email_confirmation', label: 'Email confirmation' }, t),
    ).toBe('Подтверждение email');
    expect(eventLabel({ name: 'reg', kind: 'registration', label: 'Registration' }, t)).toBe(
      'Регистрация',
    );
    expect(eventLabel({ name: 'ftd', kind: 'first_deposit', label: 'My FTD' }, t)).toBe('My FTD');
    expect(eventLabel({ name: 'x', kind: 'custom', label: '' }, t)).toBe('x');
    expect(
      eventLabel({ name: 'dep', kind: 'deposit', label: 'Deposit' }, i18n.getFixedT('en')),
    ).toBe('Deposit');
  });
});
