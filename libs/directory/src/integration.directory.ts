import { Injectable } from '@nestjs/common';
import { IntegrationChangedPayload, RegistrationLinkSnapshot, Topics } from '@tracker/contracts';
import { KafkaRuntime, KafkaTable } from '@tracker/kafka';

export interface LinkEntry {
  integration: IntegrationChangedPayload;
  link: RegistrationLinkSnapshot;
}

/**
 * Integrations (with their events and registration links) as published on the compacted
 * `tracker.integrations.v1`. Lookups right after a change catch up with the topic first, so a
 * postback sent the moment `POST /api/integrations` returned is not answered 404.
 */
@Injectable()
export class IntegrationDirectory {
  private readonly table: KafkaTable<IntegrationChangedPayload>;
  private readonly links = new Map<string, string>();

  constructor(kafka: KafkaRuntime) {
    this.table = kafka.createTable<IntegrationChangedPayload>({
      name: 'integrations',
      topic: Topics.Integrations,
      toValue: (message) =>
        message.event?.type === 'IntegrationChanged' ? message.event.payload : null,
      onChange: (_key, value, previous) => {
        for (const link of previous?.registrationLinks ?? []) this.links.delete(link.id);
        for (const link of value?.registrationLinks ?? []) this.links.set(link.id, value!.id);
      },
    });
  }

  /** From memory only: for hot paths that accept a stale answer. */
  get(integrationId: string): IntegrationChangedPayload | undefined {
    return this.table.get(integrationId);
  }

  /**
   * Current integration, catching up with the topic on a miss. Throws (a retriable error)
   * when the topic cannot be read, so a projection retries instead of judging a postback
   * against a cache that merely lagged.
   */
  async getFresh(integrationId: string): Promise<IntegrationChangedPayload | undefined> {
    return this.table.getFresh(integrationId);
  }

  /** Like getFresh, but answers from memory when the topic cannot be read: for the HTTP edge. */
  async lookup(integrationId: string): Promise<IntegrationChangedPayload | undefined> {
    return this.table.getFresh(integrationId).catch(() => this.table.get(integrationId));
  }

  /** The integration of an account, or undefined (another account's integration is "not found"). */
  async getOwned(
    accountId: string,
    integrationId: string,
  ): Promise<IntegrationChangedPayload | undefined> {
    const integration = await this.lookup(integrationId);
    return integration?.accountId === accountId ? integration : undefined;
  }

  async findLink(linkId: string): Promise<LinkEntry | undefined> {
    let integrationId = this.links.get(linkId);
    if (integrationId === undefined) {
      await this.table.catchUp().catch(() => undefined);
      integrationId = this.links.get(linkId);
    }
    const integration = integrationId ? this.table.get(integrationId) : undefined;
    const link = integration?.registrationLinks.find((l) => l.id === linkId);
    return integration && link ? { integration, link } : undefined;
  }

  all(): IterableIterator<IntegrationChangedPayload> {
    return this.table.values();
  }
}
