import { Inject, Injectable } from '@nestjs/common';
import { ConversionRecordedEvent, ConversionStage, deliveryIdOf, uuidV7 } from '@tracker/contracts';
import { RuntimeConfig, TRACKER_CONFIG } from '@tracker/config';
import { maskHeaders, maskUrl, renderRequest, sendRendered } from '@tracker/destinations';
import { DestinationTestResponse } from './destination.dto';
import { DestinationEntity } from './destination.entity';

/**
 * `POST /api/destinations/:id/test` (SPEC section 4): renders the destination for one sample
 * conversion of its first stage and sends it now, under the same rules as a real delivery
 * (Idempotency-Key, 10 s, no redirects, 1 KiB of answer, private addresses refused unless
 * allowed). Nothing is recorded as a delivery.
 */
@Injectable()
export class SendTestPostback {
  constructor(@Inject(TRACKER_CONFIG) private readonly config: RuntimeConfig) {}

  async execute(destination: DestinationEntity): Promise<DestinationTestResponse> {
    const conversion = sampleConversion(destination);
    const rendered = renderRequest(destination, conversion);
    const headers = {
      ...rendered.headers,
      'Idempotency-Key': deliveryIdOf(conversion.id, destination.id),
    };
    const result = await sendRendered(
      { ...rendered, headers },
      { allowPrivate: this.config.destinationsAllowPrivate },
    );
    return {
      request: {
        method: rendered.method,
        url: maskUrl(rendered.url),
        headers: maskHeaders(headers),
        body: rendered.body,
      },
      response: {
        status: result.status,
        body: result.body,
        error:
          result.error ?? (result.location ? `redirect to ${result.location} not followed` : null),
        durationMs: result.durationMs,
      },
    };
  }
}

/** A conversion that looks real enough for a receiver to accept it, marked as a test. */
function sampleConversion(destination: DestinationEntity): ConversionRecordedEvent {
  const stage = destination.stages[0] as ConversionStage;
  const deposit = stage === 'first_deposit' || stage === 'redeposit';
  const now = new Date().toISOString();
  return {
    id: uuidV7(),
    type: 'ConversionRecorded',
    version: 1,
    occurredAt: now,
    accountId: destination.accountId,
    integrationId: destination.integrationId ?? destination.id,
    correlationId: 'TestClick0001',
    payload: {
      postbackId: uuidV7(),
      clickId: 'TestClick0001',
      event: 'test',
      kind: deposit ? 'deposit' : 'registration',
      stage,
      ordinal: stage === 'first_deposit' ? 1 : stage === 'redeposit' ? 2 : null,
      amount: deposit ? '50.00' : null,
      currency: deposit ? 'USD' : null,
      tid: 'test',
      fields: {},
      campaign: 'test-campaign',
      source: 'test-source',
      subscriberId: null,
      clickParams: {},
      clickedAt: now,
    },
  };
}
