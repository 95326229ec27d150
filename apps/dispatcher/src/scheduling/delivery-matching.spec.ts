import {
  ConversionRecordedDefinition,
  DestinationChangedDefinition,
  type ConversionRecordedEvent,
  type DestinationChangedPayload,
} from '@tracker/contracts';
import { matchingDestinations } from './delivery-matching';

const conversion = (overrides: Partial<ConversionRecordedEvent['payload']> = {}) => ({
  ...ConversionRecordedDefinition.example,
  occurredAt: '2026-11-24T05:00:00.000Z',
  payload: { ...ConversionRecordedDefinition.example.payload, ...overrides },
});
const base = DestinationChangedDefinition.example.payload;
const destination = (overrides: Partial<DestinationChangedPayload>): DestinationChangedPayload => ({
  ...base,
  accountId: ConversionRecordedDefinition.example.accountId,
  integrationId: null,
  stages: ['first_deposit'],
  enabled: true,
  activeSince: '2026-11-24T04:00:00.000Z',
  ...overrides,
});
const ids = (list: DestinationChangedPayload[]) => list.map((d) => d.id);

describe('which destinations a conversion goes to (SPEC section 4)', () => {
  it('given a destination of the stage and account, when matched, then it receives the conversion', () => {
    expect(ids(matchingDestinations(conversion(), [destination({ id: 'a' })]))).toEqual(['a']);
  });

  it('given other stages, a disabled one or another account, when matched, then none receives it', () => {
    expect(
      matchingDestinations(conversion(), [
        destination({ id: 'stage', stages: ['registration'] }),
        destination({ id: 'off', enabled: false }),
        destination({ id: 'other', accountId: '00000000-0000-4000-8000-000000000000' }),
      ]),
    ).toEqual([]);
  });

  it('given an integration filter, when matched, then only that integration’s conversions go', () => {
    const own = ConversionRecordedDefinition.example.integrationId;
    expect(
      ids(
        matchingDestinations(conversion(), [
          destination({ id: 'own', integrationId: own }),
          destination({ id: 'else', integrationId: '11111111-1111-4111-8111-111111111111' }),
          destination({ id: 'all', integrationId: null }),
        ]),
      ),
    ).toEqual(['own', 'all']);
  });

  it('given a conversion before the destination was created or enabled, when matched, then it is not sent', () => {
    expect(
      matchingDestinations(conversion(), [
        destination({ activeSince: '2026-11-24T05:00:00.001Z' }),
      ]),
    ).toEqual([]);
    expect(
      matchingDestinations(conversion(), [
        destination({ id: 'same', activeSince: '2026-11-24T05:00:00.000Z' }),
      ]),
    ).toHaveLength(1);
  });

  it('given a reversal, when matched, then only destinations listing reversal receive it', () => {
    const reversal = conversion({ stage: 'reversal' as never, ordinal: null });
    expect(
      ids(
        matchingDestinations(reversal, [
          destination({ id: 'deposits', stages: ['first_deposit', 'redeposit'] }),
          destination({ id: 'reversals', stages: ['first_deposit', 'reversal'] }),
        ]),
      ),
    ).toEqual(['reversals']);
  });
});
