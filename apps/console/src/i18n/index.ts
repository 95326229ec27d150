import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { preferences, setPreferences } from '../shared/preferences';
import { en } from './en';
import { ru } from './ru';

/** ru/en, both bundled (small); the choice is remembered with the other preferences. */
export function startI18n(): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, ru: { translation: ru } },
    lng: preferences().language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes; values are never HTML.
    returnNull: false,
  });
  document.documentElement.lang = preferences().language;
  return i18next;
}

export function switchLanguage(language: 'en' | 'ru'): void {
  setPreferences({ language });
  document.documentElement.lang = language;
  void i18next.changeLanguage(language);
}
