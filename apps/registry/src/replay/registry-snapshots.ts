import {
  AccountChangedPayload,
  DEFAULT_REVERSAL_STATUSES,
  DestinationChangedPayload,
  IntegrationChangedPayload,
  Topics,
} from '@tracker/contracts';
import { ConsumedEvent } from '@tracker/kafka';
import { DataSource } from 'typeorm';
import { countPostbacks } from '../postback-stats/postback-counts';

interface EventStats {
  count: number;
  lastReceivedAt: string;
}

/**
 * The registry as its topics tell it: the last snapshot per account and integration (a
 * tombstone deletes) and postback counts per (integration, event). Small enough to keep in
 * memory and write out whole whenever the replay needs the tables.
 */
export class RegistrySnapshots {
  private readonly accounts = new Map<string, AccountChangedPayload>();
  private readonly integrations = new Map<string, IntegrationChangedPayload>();
  private readonly stats = new Map<string, EventStats>();
  private readonly destinations = new Map<string, DestinationChangedPayload>();

  apply(messages: ConsumedEvent[]): void {
    const postbacks: ConsumedEvent[] = [];
    for (const message of messages) {
      const { event, key } = message;
      if (message.topic === Topics.Postbacks) postbacks.push(message);
      else if (message.topic === Topics.Accounts && key !== null) {
        if (event?.type === 'AccountChanged') this.accounts.set(key, event.payload);
        else if (event === null) this.accounts.delete(key);
      } else if (message.topic === Topics.Integrations && key !== null) {
        if (event?.type === 'IntegrationChanged') this.integrations.set(key, event.payload);
        else if (event === null) this.integrations.delete(key);
      } else if (message.topic === Topics.Destinations && key !== null) {
        if (event?.type === 'DestinationChanged') this.destinations.set(key, event.payload);
        else if (event === null) this.destinations.delete(key);
      }
    }
    for (const count of countPostbacks(postbacks)) {
      const key = `${count.integrationId}\u0000${count.event}`;
      const current = this.stats.get(key);
      if (!current)
        this.stats.set(key, { count: count.count, lastReceivedAt: count.lastReceivedAt });
      else {
        current.count += count.count;
        if (count.lastReceivedAt > current.lastReceivedAt)
          current.lastReceivedAt = count.lastReceivedAt;
      }
    }
  }

  /** Rewrites the registry's tables in `schema` from the snapshots, in one transaction. */
  async writeTo(dataSource: DataSource, schema: string): Promise<void> {
    const s = `"${schema.replace(/"/g, '""')}"`;
    const accounts = [...this.accounts.values()];
    // An integration whose account is gone (or filtered out) cannot be stored: its FK says so.
    const integrations = [...this.integrations.values()].filter((i) =>
      this.accounts.has(i.accountId),
    );
    const keys = accounts.flatMap((a) =>
      a.apiKeys.map((k) => ({
        id: k.id,
        account_id: a.id,
        hash: k.hash,
        prefix: k.prefix,
        created_at: k.createdAt,
        revoked_at: k.revokedAt,
      })),
    );
    const events = integrations.flatMap((i) =>
      i.events.map((e, position) => {
        const stats = this.stats.get(`${i.id}\u0000${e.name}`);
        return {
          integration_id: i.id,
          name: e.name,
          position,
          label: e.label,
          kind: e.kind,
          params: e.params,
          received_count: stats?.count ?? 0,
          last_received_at: stats?.lastReceivedAt ?? null,
        };
      }),
    );
    // The snapshot lists links in creation order but not their times: keep the order.
    const links = integrations.flatMap((i) =>
      i.registrationLinks.map((l, position) => ({
        id: l.id,
        integration_id: i.id,
        name: l.name,
        base_url: l.baseUrl,
        final_url: l.finalUrl,
        created_at: new Date(Date.parse(i.createdAt) + position).toISOString(),
      })),
    );
    const destinations = [...this.destinations.values()].filter((d) =>
      this.accounts.has(d.accountId),
    );
    await dataSource.transaction(async (manager) => {
      await manager.query(
        `TRUNCATE ${s}.destinations, ${s}.registration_links, ${s}.integration_events, ${s}.integrations,
                  ${s}.api_keys, ${s}.accounts`,
      );
      await manager.query(
        `INSERT INTO ${s}.accounts (id, name, disabled, created_at, updated_at)
         SELECT id, name, disabled, "createdAt", "updatedAt" FROM json_to_recordset($1::json)
           AS x(id uuid, name text, disabled boolean, "createdAt" timestamptz, "updatedAt" timestamptz)`,
        [JSON.stringify(accounts)],
      );
      await manager.query(
        `INSERT INTO ${s}.api_keys (id, account_id, hash, prefix, created_at, revoked_at)
         SELECT * FROM json_to_recordset($1::json) AS x(id uuid, account_id uuid, hash char(64),
           prefix text, created_at timestamptz, revoked_at timestamptz)`,
        [JSON.stringify(keys)],
      );
      // json (not jsonb) all the way: parameter order is part of the postback URL.
      await manager.query(
        `INSERT INTO ${s}.integrations (id, account_id, name, template, click_id_param, amount_param,
           default_currency, field_params, enabled, rate_limit_per_second, created_at, updated_at,
           status_param, reversal_statuses, tid_param)
         SELECT id, "accountId", name, template, "clickIdParam", "amountParam", "defaultCurrency",
                "fieldParams", enabled, "rateLimitPerSecond", "createdAt", "updatedAt",
                coalesce("statusParam", 'status'),
                coalesce("reversalStatuses", $2::json), "tidParam"
           FROM json_to_recordset($1::json) AS x(id uuid, "accountId" uuid, name text, template text,
             "clickIdParam" text, "amountParam" text, "defaultCurrency" char(3), "fieldParams" json,
             enabled boolean, "rateLimitPerSecond" integer, "createdAt" timestamptz,
             "updatedAt" timestamptz, "statusParam" text, "reversalStatuses" json,
             "tidParam" text)`,
        [JSON.stringify(integrations), JSON.stringify(DEFAULT_REVERSAL_STATUSES)],
      );
      await manager.query(
        `INSERT INTO ${s}.integration_events (integration_id, name, position, label, kind, params,
           received_count, last_received_at)
         SELECT * FROM json_to_recordset($1::json) AS x(integration_id uuid, name text,
           position integer, label text, kind text, params json, received_count bigint,
           last_received_at timestamptz)`,
        [JSON.stringify(events)],
      );
      await manager.query(
        `INSERT INTO ${s}.registration_links (id, integration_id, name, base_url, final_url, created_at)
         SELECT * FROM json_to_recordset($1::json) AS x(id text, integration_id uuid, name text,
           base_url text, final_url text, created_at timestamptz)`,
        [JSON.stringify(links)],
      );
      await manager.query(
        `INSERT INTO ${s}.destinations (id, account_id, name, integration_id, stages, method, url,
           headers, body, enabled, created_at, updated_at, active_since)
         SELECT id, "accountId", name, "integrationId", stages, method, url, headers, body, enabled,
                "createdAt", "updatedAt", "activeSince"
           FROM json_to_recordset($1::json) AS x(id uuid, "accountId" uuid, name text,
             "integrationId" uuid, stages json, method text, url text, headers json, body text,
             enabled boolean, "createdAt" timestamptz, "updatedAt" timestamptz,
             "activeSince" timestamptz)`,
        [JSON.stringify(destinations)],
      );
    });
  }
}
