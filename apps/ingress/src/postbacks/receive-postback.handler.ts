import { Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { createEvent, partitionKeyOf, Topics } from '@tracker/contracts';
import { IntegrationDirectory } from '@tracker/directory';
import { RetryLaterException } from '@tracker/platform';
import { DurablePublisher } from '../durability/durable-publisher';
import { toPostbackBody } from '../http/postback-body';
import { IntegrationRateLimiter } from '../rate-limit/integration-rate-limiter';
import { QueryParams, resolvePostback } from './postback-params';

/** What the controller hands over from the HTTP request, nothing parsed twice. */
export interface ReceivePostbackCommand {
  integrationId: string;
  method: string;
  /** Path plus raw query, exactly as received. */
  rawUrl: string;
  query: QueryParams;
  body: unknown;
  contentType: string | undefined;
  remoteAddress: string | null;
  userAgent: string | null;
}

export interface PostbackAccepted {
  status: 'accepted';
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A partner's postback becomes one durable PostbackReceived; judging it happens downstream. */
@Injectable()
export class ReceivePostbackHandler {
  constructor(
    private readonly integrations: IntegrationDirectory,
    private readonly rateLimiter: IntegrationRateLimiter,
    private readonly publisher: DurablePublisher,
  ) {}

  /**
   * A partner cabinet's probe (`HEAD`, `OPTIONS`; SPEC section 4): resolves for a known,
   * enabled integration, else throws 404. Records, counts and publishes nothing.
   */
  async probe(integrationId: string): Promise<void> {
    await this.enabledIntegration(integrationId);
  }

  async execute(command: ReceivePostbackCommand): Promise<PostbackAccepted> {
    const integration = await this.enabledIntegration(command.integrationId);
    if (!this.rateLimiter.tryAcquire(integration.id, integration.rateLimitPerSecond)) {
      throw new RetryLaterException(
        `rate limit of ${integration.rateLimitPerSecond} postbacks per second exceeded for this integration`,
        this.rateLimiter.retryAfterSeconds(integration.id),
      );
    }
    const { body, bodyError, rawBody } = toPostbackBody(command.body, command.contentType);
    const { event: eventName, clickId } = resolvePostback(integration, command.query, body);
    const receivedAt = new Date().toISOString();
    const event = createEvent(
      'PostbackReceived',
      {
        method: command.method,
        url: command.rawUrl,
        query: command.query,
        body,
        contentType: command.contentType ?? null,
        ...(bodyError !== null && { bodyError, rawBody }),
        remoteAddress: command.remoteAddress,
        userAgent: command.userAgent,
        event: eventName,
        clickId,
        receivedAt,
      },
      {
        accountId: integration.accountId,
        integrationId: integration.id,
        ...(clickId !== null && { correlationId: clickId }),
        occurredAt: receivedAt,
      },
    );
    try {
      await this.publisher.publish(Topics.Postbacks, event, partitionKeyOf(event));
    } catch (error) {
      throw new ServiceUnavailableException(
        `postback could not be made durable: ${(error as Error).message}`,
      );
    }
    return { status: 'accepted', id: event.id };
  }

  private async enabledIntegration(sentId: string) {
    if (!UUID.test(sentId)) throw notFound();
    // UUIDs are case-insensitive (RFC 9562): a cabinet that upper-cases the URL still arrives.
    const integrationId = sentId.toLowerCase();
    const integration =
      this.integrations.get(integrationId) ?? (await this.integrations.lookup(integrationId));
    if (!integration || !integration.enabled) throw notFound();
    return integration;
  }
}

const notFound = () => new NotFoundException('integration not found or disabled');
