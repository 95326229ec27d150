import i18next from 'i18next';
import { ApiDownError, ApiError } from '../api/client';
import { en } from '../i18n/en';
import { ru } from '../i18n/ru';
import { errorText, FIELD_LABEL_KEYS } from './error-text';

describe('what the console says about a failed request', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({
      resources: { en: { translation: en }, ru: { translation: ru } },
      lng: 'ru',
      fallbackLng: 'en',
      interpolation: { escapeValue: false },
    });
  });
  const inRussian = (error: unknown, fieldLabel?: string) =>
    errorText(error, 'ru', i18n.getFixedT('ru'), fieldLabel);
  const inEnglish = (error: unknown) => errorText(error, 'en', i18n.getFixedT('en'));

  it('given a 400 naming a field, when the page is Russian, then it names the field by its console label and keeps the server’s words', () => {
    const error = new ApiError(400, 'url uses an unknown macro {payout_usd}', 'url');
    expect(inRussian(error)).toEqual({
      title: null,
      text: 'Проверьте поле «URL»: трекер не принял это значение.',
      detail: 'url uses an unknown macro {payout_usd}',
    });
    expect(inRussian(new ApiError(400, 'baseUrl must be an absolute URL', 'baseUrl')).text).toBe(
      'Проверьте поле «Партнёрская ссылка»: трекер не принял это значение.',
    );
  });

  it('given a 400 naming a field, when the form gives its own label, then that label is used; an unknown field keeps the API’s name', () => {
    const error = new ApiError(400, 'name must not be empty', 'name');
    expect(inRussian(error, 'Название ссылки').text).toBe(
      'Проверьте поле «Название ссылки»: трекер не принял это значение.',
    );
    expect(inRussian(error).text).toBe('Проверьте поле «Название»: трекер не принял это значение.');
    expect(inRussian(new ApiError(400, 'limit must be at most 500', 'limit')).text).toBe(
      'Проверьте поле «limit»: трекер не принял это значение.',
    );
  });

  it('given a 409, when the page says what a conflict means for its action, then that sentence is shown in Russian and the server’s words in English', () => {
    const error = new ApiError(
      409,
      "the account's last active API key cannot be revoked; create another key first",
      null,
    );
    const lastKey = i18n.getFixedT('ru')('settings.lastKey');
    expect(errorText(error, 'ru', i18n.getFixedT('ru'), undefined, lastKey)).toEqual({
      title: null,
      text: 'Это последний действующий ключ аккаунта: сначала создайте новый ключ, потом отзовите этот.',
      detail: "the account's last active API key cannot be revoked; create another key first",
    });
    expect(errorText(error, 'en', i18n.getFixedT('en'), undefined, lastKey)).toEqual({
      title: null,
      text: "the account's last active API key cannot be revoked; create another key first",
      detail: null,
    });
    // Only a 409 takes it: other failures of the same action keep their own sentence.
    expect(
      errorText(
        new ApiError(429, 'rate limit', null),
        'ru',
        i18n.getFixedT('ru'),
        undefined,
        lastKey,
      ).text,
    ).toBe('Слишком много запросов: подождите немного и попробуйте снова.');
  });

  it.each([
    [400, 'body is not valid JSON', 'Трекер не принял запрос: проверьте введённые значения.'],
    [401, 'invalid API key', 'API-ключ недействителен или отозван: войдите снова.'],
    [403, 'forbidden', 'Этому ключу такое действие не разрешено.'],
    [
      409,
      "event 'sale' already exists in this integration",
      'Конфликт: такое уже есть или его только что изменили. Обновите страницу и попробуйте снова.',
    ],
    [
      413,
      'request body is larger than the allowed 16 KiB',
      'Слишком большой запрос: сократите значение и попробуйте снова.',
    ],
    [429, 'rate limit', 'Слишком много запросов: подождите немного и попробуйте снова.'],
    [
      503,
      'the broker did not acknowledge the change; nothing was changed, try again',
      'Брокер или база данных недоступны: ничего не изменено. Попробуйте ещё раз через минуту.',
    ],
    [
      500,
      'internal server error',
      'Ошибка трекера (HTTP 500): попробуйте снова; если повторится, посмотрите его логи.',
    ],
    [418, 'teapot', 'Трекер отклонил запрос (HTTP 418).'],
  ])(
    'given a %i without a field, when the page is Russian, then a Russian sentence with the server’s words as detail',
    (status, message, text) => {
      expect(inRussian(new ApiError(status, message, null))).toEqual({
        title: null,
        text,
        detail: message,
      });
    },
  );

  it('given a 404, then "not found" in either language, the server’s words kept in Russian', () => {
    const error = new ApiError(404, 'integration not found', null);
    expect(inRussian(error)).toEqual({
      title: '404',
      text: 'Не найдено: такого нет или оно не в этом аккаунте.',
      detail: 'integration not found',
    });
    expect(inEnglish(error)).toEqual({
      title: '404',
      text: 'Not found: it does not exist, or it is not in this account.',
      detail: null,
    });
  });

  it('given the API cannot be reached, then "not answering" in the page’s language, a proxy’s status kept', () => {
    expect(inRussian(new ApiDownError('unreachable'))).toEqual({
      title: 'API трекера не отвечает.',
      text: 'Проверьте, что трекер запущен, и попробуйте снова.',
      detail: null,
    });
    expect(inEnglish(new ApiDownError('HTTP 502'))).toEqual({
      title: 'The tracker API is not answering.',
      text: 'Check that the tracker is running, then try again.',
      detail: 'HTTP 502',
    });
  });

  it('given an English page, then the server’s message as it is, an English sentence only when it said nothing', () => {
    const error = new ApiError(400, 'url uses an unknown macro {payout_usd}', 'url');
    expect(inEnglish(error)).toEqual({ title: null, text: error.message, detail: null });
    expect(inEnglish(new ApiError(503, '', null))).toEqual({
      title: null,
      text: 'The broker or the database is unavailable: nothing was changed. Try again in a minute.',
      detail: null,
    });
  });

  it('given something else thrown, then its message', () => {
    expect(inRussian(new Error('boom'))).toEqual({ title: null, text: 'boom', detail: null });
  });

  it('names every listed field by a label the console has in both languages', () => {
    for (const [field, key] of Object.entries(FIELD_LABEL_KEYS)) {
      for (const language of ['en', 'ru']) {
        expect(`${field}: ${i18n.exists(key, { lng: language, fallbackLng: false })}`).toBe(
          `${field}: true`,
        );
      }
    }
  });
});
