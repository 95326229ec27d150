import { Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  CLICK_ID_MACRO,
  ClickRegisteredPayload,
  createEvent,
  partitionKeyOf,
  Topics,
} from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { DurablePublisher } from '../durability/durable-publisher';
import { ClickIdGenerator } from './click-id';

export interface RegisterClickCommand {
  accountId: string | null;
  linkId: string | null;
  integrationId: string | null;
  campaign: string | null;
  source: string | null;
  subscriberId: string | null;
  params: Record<string, string | string[]>;
  userAgent: string | null;
  remoteAddress: string | null;
}

export interface RegisteredClick {
  clickId: string;
  /** The link's final URL with the click id in place of the macro; null without a link. */
  url: string | null;
}

/**
 * Mints a click id and makes its ClickRegistered durable. With `accountId` (the click API)
 * the link or integration must belong to that account; without it (a redirect) any link.
 */
@Injectable()
export class RegisterClickHandler {
  private readonly clickIds = new ClickIdGenerator();

  constructor(
    private readonly integrations: IntegrationDirectory,
    private readonly publisher: DurablePublisher,
  ) {}

  async execute(command: RegisterClickCommand): Promise<RegisteredClick> {
    let accountId = command.accountId;
    let integrationId = command.integrationId;
    let finalUrl: string | null = null;
    if (command.linkId !== null) {
      const found = await this.integrations.findLink(command.linkId);
      const owned = found && (accountId === null || found.integration.accountId === accountId);
      if (!found || !owned || !found.integration.enabled) {
        throw new NotFoundException('registration link not found');
      }
      if (integrationId !== null && integrationId !== found.integration.id) {
        throw new NotFoundException('registration link not found for this integration');
      }
      accountId = found.integration.accountId;
      integrationId = found.integration.id;
      finalUrl = found.link.finalUrl;
    } else if (integrationId !== null) {
      const integration = accountId
        ? await this.integrations.getOwned(accountId, integrationId)
        : undefined;
      if (!integration) throw new NotFoundException('integration not found');
    }
    if (accountId === null) throw new NotFoundException('registration link not found');

    const clickId = this.clickIds.next();
    const createdAt = new Date().toISOString();
    const payload: ClickRegisteredPayload = {
      clickId,
      linkId: command.linkId,
      integrationId,
      campaign: command.campaign,
      source: command.source,
      subscriberId: command.subscriberId,
      params: command.params,
      userAgent: command.userAgent,
      remoteAddress: command.remoteAddress,
      createdAt,
    };
    const event = createEvent('ClickRegistered', payload, {
      accountId,
      integrationId,
      correlationId: clickId,
      occurredAt: createdAt,
    });
    try {
      await this.publisher.publish(Topics.Clicks, event, partitionKeyOf(event));
    } catch (error) {
      throw new ServiceUnavailableException(
        `click could not be made durable: ${(error as Error).message}`,
      );
    }
    return { clickId, url: finalUrl === null ? null : withClickId(finalUrl, clickId) };
  }
}

/** Only ever the configured link: the macro is the one thing replaced (no open redirect). */
export function withClickId(finalUrl: string, clickId: string): string {
  return finalUrl.split(CLICK_ID_MACRO).join(encodeURIComponent(clickId));
}
