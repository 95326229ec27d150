import { IntegrationChangedPayload } from '@tracker/contracts';
import { loadConfig } from '@tracker/config';
import { ConsumedEvent, createKafkaClient, ensureTopics, TopicReader } from '@tracker/kafka';

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/** Calls the running app over HTTP; `key` becomes `Authorization: Bearer <key>`. */
export function apiClient(baseUrl: string) {
  return async function api<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { key?: string; body?: unknown } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = {};
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
}

/** Reads a (shared) topic from the beginning in the background. */
export async function startReader(topic: string): Promise<TopicReader> {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const kafka = createKafkaClient({ brokers, clientId: 'registry-e2e' });
  // The suite may be the run's first: subscribing needs the topic to exist.
  await ensureTopics(kafka, loadConfig({}).kafkaTopicPartitions);
  return new TopicReader(kafka, topic).start();
}

/** The latest message of a key on a compacted topic (what a fresh consumer would end with). */
export function latest(reader: TopicReader, key: string): ConsumedEvent | undefined {
  return reader.messages.filter((message) => message.key === key).at(-1);
}

export interface IntegrationView {
  id: string;
  name: string;
  template: string;
  clickIdParam: string;
  amountParam: string | null;
  defaultCurrency: string | null;
  fieldParams: Record<string, string>;
  enabled: boolean;
  rateLimitPerSecond: number | null;
  statusParam: string;
  reversalStatuses: string[];
  tidParam: string | null;
  createdAt: string;
  updatedAt: string;
  events: Array<{
    name: string;
    label: string;
    kind: string;
    params: Record<string, string>;
    postbackUrl: string;
    receivedCount: number;
    lastReceivedAt: string | null;
  }>;
  registrationLinks: Array<{
    id: string;
    name: string;
    baseUrl: string;
    finalUrl: string;
    trackingUrl: string;
  }>;
}

/** What the topic must hold for an integration the API shows (derived fields dropped). */
export function expectedSnapshot(
  accountId: string,
  view: IntegrationView,
): IntegrationChangedPayload {
  return {
    id: view.id,
    accountId,
    name: view.name,
    template: view.template,
    clickIdParam: view.clickIdParam,
    amountParam: view.amountParam,
    defaultCurrency: view.defaultCurrency,
    fieldParams: view.fieldParams,
    enabled: view.enabled,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    rateLimitPerSecond: view.rateLimitPerSecond,
    statusParam: view.statusParam,
    reversalStatuses: view.reversalStatuses,
    tidParam: view.tidParam,
    events: view.events.map(({ name, label, kind, params }) => ({
      name,
      label,
      kind: kind as IntegrationChangedPayload['events'][number]['kind'],
      params,
    })),
    registrationLinks: view.registrationLinks.map(({ id, name, baseUrl, finalUrl }) => ({
      id,
      name,
      baseUrl,
      finalUrl,
    })),
  };
}
