import { Injectable } from '@nestjs/common';
import { AccountChangedPayload, Topics } from '@tracker/contracts';
import { KafkaRuntime, KafkaTable } from '@tracker/kafka';
import { hashApiKey, safeEqual } from './api-key-hash';

/**
 * Accounts and their API keys as published by the registry on `tracker.accounts.v1`, so every
 * service authenticates without reading the registry's tables. A revoked key disappears from
 * every process as soon as its snapshot is consumed.
 */
@Injectable()
export class AccountDirectory {
  private readonly table: KafkaTable<AccountChangedPayload>;
  /** Active key hash → account id. */
  private readonly accountByKeyHash = new Map<string, string>();

  constructor(kafka: KafkaRuntime) {
    this.table = kafka.createTable<AccountChangedPayload>({
      name: 'accounts',
      topic: Topics.Accounts,
      toValue: (message) =>
        message.event?.type === 'AccountChanged' ? message.event.payload : null,
      onChange: (_key, value, previous) => this.reindex(value, previous),
    });
  }

  get(accountId: string): AccountChangedPayload | undefined {
    return this.table.get(accountId);
  }

  /** The enabled account owning this key, or null; catches up with the topic on a miss. */
  async authenticate(apiKey: string): Promise<AccountChangedPayload | null> {
    const hash = hashApiKey(apiKey);
    let accountId = this.accountByKeyHash.get(hash);
    if (accountId === undefined) {
      await this.table.catchUp().catch(() => undefined);
      accountId = this.accountByKeyHash.get(hash);
    }
    if (accountId === undefined) return null;
    const account = this.table.get(accountId);
    if (!account || account.disabled) return null;
    const key = account.apiKeys.find((k) => k.revokedAt === null && safeEqual(k.hash, hash));
    return key ? account : null;
  }

  private reindex(value: AccountChangedPayload | null, previous?: AccountChangedPayload): void {
    for (const key of previous?.apiKeys ?? []) this.accountByKeyHash.delete(key.hash);
    if (!value || value.disabled) return;
    for (const key of value.apiKeys) {
      if (key.revokedAt === null) this.accountByKeyHash.set(key.hash, value.id);
    }
  }
}
