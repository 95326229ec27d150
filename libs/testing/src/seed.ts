import { randomBytes, randomUUID } from 'node:crypto';
import {
  AccountChangedPayload,
  createEvent,
  findIntegrationTemplate,
  IntegrationChangedPayload,
  Topics,
} from '@tracker/contracts';
import { hashApiKey } from '@tracker/directory';
import { loadConfig } from '@tracker/config';
import { createKafkaClient, ensureTopics, EventProducer } from '@tracker/kafka';

let shared: Promise<EventProducer> | null = null;

async function connectSeedProducer(): Promise<EventProducer> {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set (jest global setup)');
  const kafka = createKafkaClient({ brokers: brokers.split(','), clientId: 'test-seed' });
  // A suite may seed before any app created the topics (auto-creation is off on our broker).
  await ensureTopics(kafka, loadConfig({}).kafkaTopicPartitions);
  const producer = new EventProducer(kafka);
  await producer.connect();
  return producer;
}

/** One producer per test file for fixtures; closed by `closeSeedProducer()` in afterAll. */
export function seedProducer(): Promise<EventProducer> {
  // The promise, not the producer, is shared: concurrent first callers wait for one connect.
  shared ??= connectSeedProducer();
  return shared;
}

export async function closeSeedProducer(): Promise<void> {
  const producer = shared;
  shared = null;
  if (producer) await (await producer).disconnect();
}

export interface SeededAccount {
  account: AccountChangedPayload;
  apiKey: string;
}

/**
 * Publishes an account snapshot the way the registry does, so an app can be tested without
 * the registry running: the apps only ever learn about accounts from the topic.
 */
export async function seedAccount(name = 'Test team'): Promise<SeededAccount> {
  const apiKey = `trk_${randomBytes(24).toString('base64url')}`;
  const now = new Date().toISOString();
  const account: AccountChangedPayload = {
    id: randomUUID(),
    name,
    apiKeys: [
      {
        id: randomUUID(),
        hash: hashApiKey(apiKey),
        prefix: apiKey.slice(0, 8),
        createdAt: now,
        revokedAt: null,
      },
    ],
    createdAt: now,
    updatedAt: now,
    disabled: false,
  };
  await publishAccount(account);
  return { account, apiKey };
}

export async function publishAccount(account: AccountChangedPayload): Promise<void> {
  const producer = await seedProducer();
  const event = createEvent('AccountChanged', account, { accountId: account.id });
  await producer.publish(Topics.Accounts, event, account.id);
}

/** Publishes an integration snapshot built from a template (Pocket Option RevShare by default). */
export async function seedIntegration(
  accountId: string,
  overrides: Partial<IntegrationChangedPayload> = {},
  templateId = 'pocket-option-revshare',
): Promise<IntegrationChangedPayload> {
  const template = findIntegrationTemplate(templateId);
  if (!template) throw new Error(`unknown template ${templateId}`);
  const now = new Date().toISOString();
  const integration: IntegrationChangedPayload = {
    id: randomUUID(),
    accountId,
    name: template.name,
    template: template.id,
    clickIdParam: template.clickIdParam,
    amountParam: template.amountParam,
    defaultCurrency: template.defaultCurrency,
    fieldParams: { ...template.fieldParams },
    enabled: true,
    createdAt: now,
    updatedAt: now,
    rateLimitPerSecond: null,
    events: template.events.map((e) => ({
      name: e.name,
      label: e.label,
      kind: e.kind,
      params: { ...e.params },
    })),
    registrationLinks: [],
    ...overrides,
  };
  await publishIntegration(integration);
  return integration;
}

export async function publishIntegration(integration: IntegrationChangedPayload): Promise<void> {
  const producer = await seedProducer();
  const event = createEvent('IntegrationChanged', integration, {
    accountId: integration.accountId,
    integrationId: integration.id,
  });
  await producer.publish(Topics.Integrations, event, integration.id);
}
