import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { keys, useDestinations, useDestinationTemplates, useIntegrations } from '../../api/queries';
import type { Destination, DestinationTestResult as TestResult } from '../../api/types';
import { Empty, ErrorState, Loading, TableWrap } from '../../shared/ui';
import { DestinationForm, type FormStart } from './DestinationForm';
import { DestinationTestResult } from './DestinationTestResult';

/** One destination's row: state, edit, send test, deliveries, delete with an inline confirmation. */
function DestinationRow({
  destination,
  integrationName,
  onEdit,
  onTested,
}: {
  destination: Destination;
  integrationName: string;
  onEdit: () => void;
  onTested: (result: TestResult | Error) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: keys.destinations });
  const toggle = useMutation({
    mutationFn: () =>
      api<Destination>('PATCH', `/api/destinations/${destination.id}`, {
        body: { enabled: !destination.enabled },
      }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: () => api('DELETE', `/api/destinations/${destination.id}`),
    onSuccess: refresh,
  });
  const test = useMutation({
    mutationFn: () => api<TestResult>('POST', `/api/destinations/${destination.id}/test`),
    onSuccess: (result) => onTested(result),
    onError: (error) => onTested(error),
  });
  const label = destination.name;
  return (
    <tr data-testid="destination-row" data-name={destination.name}>
      <td>
        <span className="wrap-words">{destination.name}</span>
      </td>
      <td>
        <span className="wrap-words">{integrationName}</span>
      </td>
      <td className="stages-cell">
        {destination.stages.map((stage) => t(`stage.${stage}`, { defaultValue: stage })).join(', ')}
      </td>
      <td>{destination.method}</td>
      <td className="url-cell">
        <code className="value" data-testid="destination-url">
          {destination.url}
        </code>
      </td>
      <td>
        <span className={`chip chip-${destination.enabled ? 'delivered' : 'pending'}`}>
          {destination.enabled ? t('destinations.enabled') : t('destinations.disabled')}
        </span>
      </td>
      <td className="actions">
        <button type="button" onClick={onEdit} aria-label={`${t('destinations.edit')}: ${label}`}>
          {t('destinations.edit')}
        </button>
        <button
          type="button"
          onClick={() => test.mutate()}
          disabled={test.isPending}
          aria-label={`${t('destinations.sendTest')}: ${label}`}
        >
          {test.isPending ? t('destinations.test.sending') : t('destinations.sendTest')}
        </button>
        <button
          type="button"
          onClick={() => toggle.mutate()}
          disabled={toggle.isPending}
          aria-label={`${destination.enabled ? t('destinations.disable') : t('destinations.enable')}: ${label}`}
        >
          {destination.enabled ? t('destinations.disable') : t('destinations.enable')}
        </button>
        <Link to={`/deliveries?destinationId=${destination.id}`}>
          {t('destinations.deliveries')}
          <span className="sr-only">: {label}</span>
        </Link>{' '}
        {!confirming ? (
          <button
            type="button"
            className="danger"
            onClick={() => setConfirming(true)}
            aria-label={`${t('common.delete')}: ${label}`}
          >
            {t('common.delete')}
          </button>
        ) : (
          <span
            className="confirm"
            role="group"
            aria-label={t('destinations.confirm', { name: label })}
          >
            <span>{t('destinations.confirm', { name: label })}</span>{' '}
            <button
              type="button"
              className="danger"
              onClick={() => remove.mutate()}
              disabled={remove.isPending}
            >
              {t('destinations.deleteForever')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('common.cancel')}
            </button>
          </span>
        )}
        {toggle.error ? <ErrorState error={toggle.error} /> : null}
        {remove.error ? <ErrorState error={remove.error} /> : null}
      </td>
    </tr>
  );
}

/**
 * Outgoing postbacks (SPEC section 4): the account's destinations, a new one from a ready
 * template, edit, enable/disable, delete, and a test send showing the request and the response.
 * Which form is open lives in the URL (`?new=<template>` or `?edit=<id>`).
 */
export default function DestinationsPage() {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const templates = useDestinationTemplates();
  const destinations = useDestinations();
  const integrations = useIntegrations();
  const [tested, setTested] = useState<{ name: string; result: TestResult | Error } | null>(null);
  const open = (name: 'new' | 'edit', value: string | null) => {
    const next = new URLSearchParams();
    if (value) next.set(name, value);
    setSearch(next);
  };
  const newId = search.get('new');
  const editId = search.get('edit');
  const template = templates.data?.find((candidate) => candidate.id === newId);
  const editing = destinations.data?.find((candidate) => candidate.id === editId);
  const start: FormStart | null = template
    ? { mode: 'create', template }
    : editing
      ? { mode: 'edit', destination: editing }
      : null;
  const integrationName = (id: string | null) =>
    id === null
      ? t('destinations.allIntegrations')
      : (integrations.data?.find((integration) => integration.id === id)?.name ?? id);
  return (
    <section>
      <h1>{t('destinations.title')}</h1>
      <p className="muted">{t('destinations.intro')}</p>
      <section className="panel" aria-labelledby="templates-title">
        <h2 id="templates-title">{t('destinations.templates')}</h2>
        {templates.isPending ? <Loading /> : null}
        {templates.error ? <ErrorState error={templates.error} /> : null}
        <ul className="template-list">
          {templates.data?.map((candidate) => (
            <li key={candidate.id}>
              <button
                type="button"
                onClick={() => open('new', candidate.id)}
                aria-pressed={candidate.id === newId}
                aria-label={`${t('destinations.useTemplate')}: ${candidate.name}`}
              >
                {candidate.name}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {start ? (
        <DestinationForm
          key={template ? `new-${template.id}` : `edit-${editing?.id}-${editing?.updatedAt}`}
          start={start}
          onDone={() => open('new', null)}
        />
      ) : null}
      <h2>{t('destinations.list')}</h2>
      {destinations.isPending ? <Loading /> : null}
      {destinations.error ? <ErrorState error={destinations.error} /> : null}
      {destinations.data && destinations.data.length === 0 ? (
        <Empty>{t('destinations.empty')}</Empty>
      ) : null}
      {destinations.data && destinations.data.length > 0 ? (
        <TableWrap label={t('destinations.list')}>
          <table className="destinations" data-testid="destinations-table">
            <thead>
              <tr>
                <th scope="col">{t('destinations.form.name')}</th>
                <th scope="col">{t('common.integration')}</th>
                <th scope="col">{t('destinations.form.stages')}</th>
                <th scope="col">{t('destinations.form.method')}</th>
                <th scope="col">{t('destinations.form.url')}</th>
                <th scope="col">{t('destinations.state')}</th>
                <th scope="col">
                  <span className="sr-only">{t('destinations.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {destinations.data.map((destination) => (
                <DestinationRow
                  key={destination.id}
                  destination={destination}
                  integrationName={integrationName(destination.integrationId)}
                  onEdit={() => open('edit', destination.id)}
                  onTested={(result) => setTested({ name: destination.name, result })}
                />
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <div aria-live="polite">
        {tested && tested.result instanceof Error ? <ErrorState error={tested.result} /> : null}
        {tested && !(tested.result instanceof Error) ? (
          <DestinationTestResult name={tested.name} result={tested.result} />
        ) : null}
      </div>
    </section>
  );
}
