import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { EVENT_KINDS, keys, useIntegration } from '../../api/queries';
import type { Integration, IntegrationEvent } from '../../api/types';
import { Time } from '../../shared/time';
import {
  CopyField,
  ErrorState,
  fieldError,
  FieldMessage,
  FormError,
  Loading,
} from '../../shared/ui';
import { RegistrationLinksSection } from '../registration-links/RegistrationLinksSection';
import { eventLabel } from '../../shared/event-label';
import { LocalOnlyNotice } from '../../shared/local-only-notice';

/** Parameters partners commonly fill with our click id (the seed picks `click_id`). */
export const CLICK_ID_SUGGESTIONS = ['click_id', 'clickid', 'sub1', 'sub4', 'pbclick'];

/** `currency=usd&x=1` ⇄ `{currency: 'usd', x: '1'}`, order kept. */
function parsePairs(text: string, separator: RegExp): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of text.split(separator)) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf('=');
    if (at < 0) pairs[trimmed] = '';
    else pairs[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return pairs;
}

function formatPairs(pairs: Record<string, string>, separator: string): string {
  return Object.entries(pairs)
    .map(([name, value]) => `${name}=${value}`)
    .join(separator);
}

function usePatch(integration: Integration) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: Record<string, unknown>) =>
      api<Integration>('PATCH', `/api/integrations/${integration.id}`, { body: change }),
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.integration(integration.id), updated);
      void queryClient.invalidateQueries({ queryKey: keys.integrations, exact: true });
      void queryClient.invalidateQueries({ queryKey: keys.links(integration.id) });
    },
  });
}

function ClickIdSection({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const [value, setValue] = useState(integration.clickIdParam);
  const patch = usePatch(integration);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    patch.mutate({ clickIdParam: value.trim() });
  };
  const error = fieldError(patch.error, 'clickIdParam');
  return (
    <section className="panel">
      <h2>{t('integration.clickId.title')}</h2>
      <p className="muted">{t('integration.clickId.why')}</p>
      <form onSubmit={submit} className="inline">
        <label htmlFor="click-id-param">{t('integrations.clickIdParam')}</label>
        <input
          id="click-id-param"
          list="click-id-suggestions"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          required
          aria-invalid={Boolean(error)}
          aria-describedby="click-id-param-error"
        />
        <datalist id="click-id-suggestions">
          {CLICK_ID_SUGGESTIONS.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
        <button
          type="submit"
          disabled={patch.isPending || value.trim() === integration.clickIdParam}
        >
          {t('common.save')}
        </button>
      </form>
      <div className="suggestions" role="group" aria-label={t('integration.clickId.suggestions')}>
        {CLICK_ID_SUGGESTIONS.map((name) => (
          <button
            key={name}
            type="button"
            className="chip-button"
            aria-pressed={value === name}
            onClick={() => setValue(name)}
          >
            {name}
          </button>
        ))}
      </div>
      <FieldMessage
        id="click-id-param-error"
        message={error}
        label={t('integrations.clickIdParam')}
      />
      <FormError error={patch.error} fields={['clickIdParam']} />
    </section>
  );
}

function EventCard({ integration, event }: { integration: Integration; event: IntegrationEvent }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () =>
      api('DELETE', `/api/integrations/${integration.id}/events/${encodeURIComponent(event.name)}`),
    onSuccess: () =>
      void queryClient.invalidateQueries({ queryKey: keys.integration(integration.id) }),
  });
  return (
    <li className="card event-card" data-testid={`event-${event.name}`}>
      <h3>
        {eventLabel(event, t)} <code>{event.name}</code>{' '}
        <span className="muted">({t(`kind.${event.kind}`, { defaultValue: event.kind })})</span>
      </h3>
      <CopyField
        value={event.postbackUrl}
        label={t('integration.events.url', { name: event.name })}
        testId={`postback-url-${event.name}`}
      />
      <p className="hint">{t('integration.events.where', { label: eventLabel(event, t) })}</p>
      <p className="muted">
        {event.receivedCount > 0 ? (
          <>
            {t('integration.events.received', { count: event.receivedCount })} ·{' '}
            <Time value={event.lastReceivedAt} />
          </>
        ) : (
          t('start.waiting', { event: event.name })
        )}
      </p>
      <button
        type="button"
        className="danger"
        onClick={() => {
          if (window.confirm(t('integration.events.confirmDelete', { name: event.name })))
            remove.mutate();
        }}
        aria-label={`${t('common.delete')}: ${event.name}`}
      >
        {t('common.delete')}
      </button>
      {remove.error ? <ErrorState error={remove.error} /> : null}
    </li>
  );
}

function AddEventForm({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<string>('registration');
  const [label, setLabel] = useState('');
  const [params, setParams] = useState('');
  const add = useMutation({
    mutationFn: () =>
      api<IntegrationEvent>('POST', `/api/integrations/${integration.id}/events`, {
        body: {
          name: name.trim(),
          kind,
          ...(label.trim() ? { label: label.trim() } : {}),
          ...(params.trim() ? { params: parsePairs(params, /&/) } : {}),
        },
      }),
    onSuccess: () => {
      setName('');
      setLabel('');
      setParams('');
      void queryClient.invalidateQueries({ queryKey: keys.integration(integration.id) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  return (
    <form onSubmit={submit} className="panel grid-form" aria-labelledby="add-event-title">
      <h3 id="add-event-title">{t('integration.events.add')}</h3>
      <label htmlFor="event-name">{t('integration.events.name')}</label>
      <input
        id="event-name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
        pattern="[A-Za-z0-9_.\-]{1,64}"
        aria-describedby="event-name-error"
      />
      <FieldMessage
        id="event-name-error"
        message={fieldError(add.error, 'name')}
        label={t('integration.events.name')}
      />
      <label htmlFor="event-kind">{t('integration.events.kind')}</label>
      <select id="event-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
        {EVENT_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`kind.${k}`, { defaultValue: k })}
          </option>
        ))}
      </select>
      <FieldMessage
        id="event-kind-error"
        message={fieldError(add.error, 'kind')}
        label={t('integration.events.kind')}
      />
      <label htmlFor="event-label">{t('integration.events.label')}</label>
      <input id="event-label" value={label} onChange={(e) => setLabel(e.target.value)} />
      <label htmlFor="event-params">{t('integration.events.params')}</label>
      <input
        id="event-params"
        value={params}
        onChange={(e) => setParams(e.target.value)}
        placeholder="currency=usd"
        aria-describedby="event-params-error"
      />
      <FieldMessage
        id="event-params-error"
        message={fieldError(add.error, 'params')}
        label={t('integration.events.params')}
      />
      <FormError error={add.error} fields={['name', 'kind', 'params']} />
      <button type="submit" disabled={add.isPending}>
        {t('integration.events.addButton')}
      </button>
    </form>
  );
}

function SettingsForm({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const patch = usePatch(integration);
  const [name, setName] = useState(integration.name);
  const [amountParam, setAmountParam] = useState(integration.amountParam ?? '');
  const [currency, setCurrency] = useState(integration.defaultCurrency ?? '');
  const [fields, setFields] = useState(formatPairs(integration.fieldParams, ', '));
  const [statusParam, setStatusParam] = useState(integration.statusParam ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    patch.mutate({
      name: name.trim(),
      amountParam: amountParam.trim() || null,
      defaultCurrency: currency.trim().toUpperCase() || null,
      fieldParams: parsePairs(fields, /[,\n]/),
      ...(integration.statusParam !== undefined && statusParam.trim()
        ? { statusParam: statusParam.trim() }
        : {}),
    });
  };
  const row = (
    id: string,
    label: string,
    field: string,
    value: string,
    set: (v: string) => void,
    hint?: string,
  ) => (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        value={value}
        onChange={(e) => set(e.target.value)}
        aria-describedby={`${id}-error ${id}-hint`}
        aria-invalid={Boolean(fieldError(patch.error, field))}
      />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <FieldMessage id={`${id}-error`} message={fieldError(patch.error, field)} label={label} />
    </>
  );
  return (
    <form onSubmit={submit} className="panel grid-form" aria-labelledby="settings-title">
      <h2 id="settings-title">{t('integration.settings.title')}</h2>
      {row('integration-name', t('integration.settings.name'), 'name', name, setName)}
      {row(
        'amount-param',
        t('integration.settings.amountParam'),
        'amountParam',
        amountParam,
        setAmountParam,
        t('integration.settings.amountHint'),
      )}
      {row(
        'default-currency',
        t('integration.settings.currency'),
        'defaultCurrency',
        currency,
        setCurrency,
        t('integration.settings.currencyHint'),
      )}
      {row(
        'field-params',
        t('integration.settings.fields'),
        'fieldParams',
        fields,
        setFields,
        t('integration.settings.fieldsHint'),
      )}
      {integration.statusParam !== undefined
        ? row(
            'status-param',
            t('integration.settings.statusParam'),
            'statusParam',
            statusParam,
            setStatusParam,
          )
        : null}
      <FormError
        error={patch.error}
        fields={['name', 'amountParam', 'defaultCurrency', 'fieldParams', 'statusParam']}
      />
      {patch.isSuccess ? <p role="status">{t('common.saved')}</p> : null}
      <button type="submit" disabled={patch.isPending}>
        {t('common.save')}
      </button>
    </form>
  );
}

function DangerZone({ integration }: { integration: Integration }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const patch = usePatch(integration);
  const [confirming, setConfirming] = useState(false);
  const [confirmingDisable, setConfirmingDisable] = useState(false);
  const [typed, setTyped] = useState('');
  const remove = useMutation({
    mutationFn: () => api('DELETE', `/api/integrations/${integration.id}`),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: keys.integration(integration.id) });
      void queryClient.invalidateQueries({ queryKey: keys.integrations });
      navigate('/integrations');
    },
  });
  return (
    <section className="panel">
      <h2>{t('integration.state.title')}</h2>
      <p>
        {integration.enabled
          ? t('integration.state.enabledText')
          : t('integration.state.disabledText')}
      </p>
      {/* Disabling asks first: the partner's postbacks meanwhile get a 404 and are lost. */}
      {integration.enabled && confirmingDisable ? (
        <div
          className="confirm"
          role="group"
          aria-labelledby="confirm-disable-label"
          data-testid="confirm-disable"
        >
          <p id="confirm-disable-label">
            {t('integration.state.confirmDisable', { name: integration.name })}
          </p>
          <button
            type="button"
            className="danger"
            disabled={patch.isPending}
            onClick={() =>
              patch.mutate({ enabled: false }, { onSuccess: () => setConfirmingDisable(false) })
            }
          >
            {t('integration.state.disableAnyway')}
          </button>{' '}
          <button type="button" onClick={() => setConfirmingDisable(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          onClick={() =>
            integration.enabled ? setConfirmingDisable(true) : patch.mutate({ enabled: true })
          }
          disabled={patch.isPending}
        >
          {integration.enabled ? t('integration.state.disable') : t('integration.state.enable')}
        </button>
      )}
      {!confirming ? (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          {t('integration.state.delete')}
        </button>
      ) : (
        <div className="confirm" role="group" aria-labelledby="confirm-delete-label">
          <label id="confirm-delete-label" htmlFor="confirm-delete">
            {t('integration.state.confirm', { name: integration.name })}
          </label>
          <input
            id="confirm-delete"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
          />
          <button
            type="button"
            className="danger"
            disabled={typed !== integration.name || remove.isPending}
            onClick={() => remove.mutate()}
          >
            {t('integration.state.deleteForever')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('common.cancel')}
          </button>
        </div>
      )}
      <FormError
        error={patch.error ?? remove.error}
        fields={[]}
        conflictText={remove.error ? t('integration.state.inUse') : undefined}
      />
    </section>
  );
}

/** One integration: click-id parameter, one card per event with its postback URL, links, settings. */
export default function IntegrationPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const integration = useIntegration(id);
  if (integration.isPending) return <Loading />;
  if (integration.error) return <ErrorState error={integration.error} />;
  const data = integration.data;
  return (
    <section>
      <p>
        <Link to="/integrations">← {t('integrations.title')}</Link>
      </p>
      <h1>
        {data.name}{' '}
        {!data.enabled ? (
          <span className="chip chip-rejected">{t('integrations.disabled')}</span>
        ) : null}
      </h1>
      <ClickIdSection key={data.clickIdParam} integration={data} />
      <section className="panel">
        <h2>{t('integration.events.title')}</h2>
        <p className="muted">{t('integration.events.intro')}</p>
        <LocalOnlyNotice url={data.events[0]?.postbackUrl} kind="postback" />
        {data.events.length === 0 ? <p className="empty">{t('integration.events.none')}</p> : null}
        <ul className="cards">
          {data.events.map((event) => (
            <EventCard key={event.name} integration={data} event={event} />
          ))}
        </ul>
        <AddEventForm integration={data} />
      </section>
      <RegistrationLinksSection integration={data} />
      <p>
        <Link to={`/test-registration?integrationId=${data.id}`}>{t('integration.testLink')}</Link>
      </p>
      <SettingsForm integration={data} />
      <DangerZone integration={data} />
    </section>
  );
}
