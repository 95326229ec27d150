import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { CONVERSION_STAGES, keys, useIntegrations } from '../../api/queries';
import type { Destination, DestinationTemplate } from '../../api/types';
import { fieldError, FieldMessage, FormError } from '../../shared/ui';
import { formatHeaders, parseHeaders } from './headers-text';
import { MacrosHelp } from './MacrosHelp';

/** The fields the API may name in a `400` (SPEC section 4); others go to the form's foot. */
const FIELDS = ['name', 'integrationId', 'stages', 'method', 'url', 'headers', 'body'];

/** What the form starts from: a template (create) or a stored destination (edit). */
export type FormStart =
  { mode: 'create'; template: DestinationTemplate } | { mode: 'edit'; destination: Destination };

/**
 * Creates a destination from a template or edits one. Masked secrets (`•••1234`) are shown as
 * the API gives them; sent back unchanged, the stored secret is kept (SPEC section 4).
 */
export function DestinationForm({
  start,
  onDone,
}: {
  start: FormStart;
  onDone: (saved: Destination | null) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const integrations = useIntegrations();
  const initial = start.mode === 'create' ? start.template : start.destination;
  const [name, setName] = useState(initial.name);
  const [integrationId, setIntegrationId] = useState(
    start.mode === 'edit' ? (start.destination.integrationId ?? '') : '',
  );
  const [stages, setStages] = useState<string[]>([...initial.stages]);
  const [method, setMethod] = useState<'GET' | 'POST'>(initial.method);
  const [url, setUrl] = useState(initial.url);
  const [headers, setHeaders] = useState(formatHeaders(initial.headers));
  const [body, setBody] = useState(initial.body ?? '');
  const nameRef = useRef<HTMLInputElement>(null);
  // The form opens above the list: keyboard and screen-reader users land in it.
  useEffect(() => nameRef.current?.focus(), []);
  const save = useMutation({
    mutationFn: () => {
      const draft = {
        name: name.trim(),
        integrationId: integrationId || null,
        stages,
        method,
        url: url.trim(),
        headers: parseHeaders(headers),
        body: method === 'POST' && body !== '' ? body : null,
      };
      return start.mode === 'create'
        ? api<Destination>('POST', '/api/destinations', { body: draft })
        : api<Destination>('PATCH', `/api/destinations/${start.destination.id}`, { body: draft });
    },
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: keys.destinations });
      onDone(saved);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const toggleStage = (stage: string, on: boolean) =>
    setStages((current) =>
      on ? [...current, stage] : current.filter((candidate) => candidate !== stage),
    );
  const error = (field: string) => fieldError(save.error, field);
  const described = (id: string, hint = false) => (hint ? `${id}-error ${id}-hint` : `${id}-error`);
  const title =
    start.mode === 'create'
      ? t('destinations.form.createTitle', { template: start.template.name })
      : t('destinations.form.editTitle', { name: start.destination.name });
  return (
    <form
      onSubmit={submit}
      className="panel grid-form"
      aria-labelledby="destination-form-title"
      data-testid="destination-form"
    >
      <h2 id="destination-form-title">{title}</h2>
      {start.mode === 'create' ? (
        <p className="hint">{t('destinations.form.placeholders')}</p>
      ) : (
        <p className="hint">{t('destinations.form.masked')}</p>
      )}
      <label htmlFor="dest-name">{t('destinations.form.name')}</label>
      <input
        id="dest-name"
        ref={nameRef}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        maxLength={200}
        aria-invalid={Boolean(error('name'))}
        aria-describedby={described('dest-name')}
      />
      <FieldMessage
        id="dest-name-error"
        message={error('name')}
        label={t('destinations.form.name')}
      />
      <label htmlFor="dest-integration">{t('common.integration')}</label>
      <select
        id="dest-integration"
        value={integrationId}
        onChange={(e) => setIntegrationId(e.target.value)}
        aria-invalid={Boolean(error('integrationId'))}
        aria-describedby={described('dest-integration')}
      >
        <option value="">{t('destinations.allIntegrations')}</option>
        {integrations.data?.map((integration) => (
          <option key={integration.id} value={integration.id}>
            {integration.name}
          </option>
        ))}
      </select>
      <FieldMessage
        id="dest-integration-error"
        message={error('integrationId')}
        label={t('common.integration')}
      />
      <fieldset className="stages" aria-describedby={described('dest-stages', true)}>
        <legend>{t('destinations.form.stages')}</legend>
        <p className="hint" id="dest-stages-hint">
          {t('destinations.form.stagesHint')}
        </p>
        {CONVERSION_STAGES.map((stage) => (
          <label key={stage} className="check">
            <input
              type="checkbox"
              checked={stages.includes(stage)}
              onChange={(e) => toggleStage(stage, e.target.checked)}
            />
            {t(`stage.${stage}`, { defaultValue: stage })}
          </label>
        ))}
      </fieldset>
      <FieldMessage
        id="dest-stages-error"
        message={error('stages')}
        label={t('destinations.form.stages')}
      />
      <label htmlFor="dest-method">{t('destinations.form.method')}</label>
      <select
        id="dest-method"
        value={method}
        onChange={(e) => setMethod(e.target.value as 'GET' | 'POST')}
        aria-describedby={described('dest-method')}
      >
        <option value="GET">GET</option>
        <option value="POST">POST</option>
      </select>
      <FieldMessage
        id="dest-method-error"
        message={error('method')}
        label={t('destinations.form.method')}
      />
      <label htmlFor="dest-url">{t('destinations.form.url')}</label>
      <textarea
        id="dest-url"
        className="mono"
        rows={3}
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        required
        spellCheck={false}
        aria-invalid={Boolean(error('url'))}
        aria-describedby={described('dest-url')}
      />
      <FieldMessage id="dest-url-error" message={error('url')} label={t('destinations.form.url')} />
      <label htmlFor="dest-headers">{t('destinations.form.headers')}</label>
      <textarea
        id="dest-headers"
        className="mono"
        rows={3}
        value={headers}
        onChange={(e) => setHeaders(e.target.value)}
        spellCheck={false}
        placeholder="Authorization: Bearer …"
        aria-invalid={Boolean(error('headers'))}
        aria-describedby={described('dest-headers', true)}
      />
      <p className="hint" id="dest-headers-hint">
        {t('destinations.form.headersHint')}
      </p>
      <FieldMessage
        id="dest-headers-error"
        message={error('headers')}
        label={t('destinations.form.headers')}
      />
      {method === 'POST' ? (
        <>
          <label htmlFor="dest-body">{t('destinations.form.body')}</label>
          <textarea
            id="dest-body"
            className="mono"
            rows={6}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            spellCheck={false}
            aria-invalid={Boolean(error('body'))}
            aria-describedby={described('dest-body')}
          />
          <FieldMessage
            id="dest-body-error"
            message={error('body')}
            label={t('destinations.form.body')}
          />
        </>
      ) : null}
      <MacrosHelp />
      <FormError error={save.error} fields={FIELDS} />
      <div>
        <button type="submit" disabled={save.isPending}>
          {start.mode === 'create' ? t('destinations.form.create') : t('common.save')}
        </button>
        <button type="button" onClick={() => onDone(null)}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
