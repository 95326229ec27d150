import i18next from 'i18next';
import { en } from '../../i18n/en';
import { ru } from '../../i18n/ru';
// Test-only: the contracts' list of error codes (the bundle never imports libs/contracts).
import { POSTBACK_ERROR_CODES } from '../../../../../libs/contracts/src/vocabulary';
import { EXPLAINED_CODES, startFix } from './fixes';

/** Every `errorCode` of SPEC section 4 (Postback logs), as the contracts list them. */
const SPEC_CODES = POSTBACK_ERROR_CODES;
/** Words a marketer should not have to know to read what went wrong. */
const JARGON = /tracker\.|macro|макрос|\btid\b|query|\{\{|\}\}/i;

describe("the start page's what-to-fix for a failed postback", () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({
      resources: { en: { translation: en }, ru: { translation: ru } },
      lng: 'en',
      fallbackLng: 'en',
      interpolation: { escapeValue: false },
    });
  });
  const item = (errorCode: string | null) => ({
    id: 'log-1',
    integrationId: 'int-1',
    errorCode,
  });

  it('explains every error code of the API with its own words', () => {
    expect([...EXPLAINED_CODES].sort()).toEqual([...SPEC_CODES].sort());
  });

  it.each(['en', 'ru'] as const)(
    'given any error code, in %s, then it says the problem plainly and names a button or field label of the page it links to',
    (language) => {
      const t = i18n.getFixedT(language);
      // The labels a step may name, exactly as the buttons and fields show them.
      const labels = [
        t('common.copy'),
        t('common.save'),
        t('integration.events.addButton'),
        t('integration.events.name'),
        t('links.tracking'),
        t('nav.links'),
      ];
      const problems = new Set<string>();
      for (const code of SPEC_CODES) {
        const fix = startFix(item(code), t);
        problems.add(fix.problem);
        expect(`${code}: ${fix.problem}`).not.toMatch(JARGON);
        expect(`${code}: ${fix.step}`).not.toMatch(/\{\{|start\.fix/);
        if (fix.page === 'log') {
          expect(fix.to).toBe('/logs?open=log-1');
          continue;
        }
        const named = labels.filter(
          (label) => fix.step.includes(`“${label}”`) || fix.step.includes(`«${label}»`),
        );
        expect(`${code}: ${named.length}`).not.toBe(`${code}: 0`);
      }
      expect(problems.size).toBe(SPEC_CODES.length);
    },
  );

  it('given a postback without a click id, then it sends the marketer to Copy on the integration page', () => {
    const english = startFix(item('click_id_missing'), i18n.getFixedT('en'));
    expect(english).toEqual({
      problem:
        'The partner sent this postback without your click id, so it could not be matched to a visitor.',
      step: 'On the integration page, under “Postback URLs”, press “Copy” next to this event’s URL and paste it into the partner cabinet again, replacing the old one.',
      page: 'integration',
      to: '/integrations/int-1',
      linkText: 'Open the integration page',
    });
    const russian = startFix(item('click_id_missing'), i18n.getFixedT('ru'));
    expect(russian.step).toContain('нажмите «Копировать»');
    expect(russian.linkText).toBe('Открыть страницу интеграции');
  });

  it('given an unknown click, then it sends the marketer to the tracking link on Registration links', () => {
    const fix = startFix(item('click_not_found'), i18n.getFixedT('ru'));
    expect(fix.to).toBe('/links?integrationId=int-1');
    expect(fix.linkText).toBe('Открыть «Ссылки регистрации»');
    expect(fix.step).toContain('«Ссылка отслеживания»');
  });

  it('given a code this console does not know, then it sends the marketer to the log entry', () => {
    const fix = startFix(item('something_new'), i18n.getFixedT('en'));
    expect(fix).toMatchObject({ page: 'log', to: '/logs?open=log-1' });
    expect(fix.problem).toBe('This postback was refused.');
  });
});
