import { conversionRecordedId, ConversionRecordedDefinition } from './events';
import { deterministicEventId, EVENT_ID_NAMESPACE, isUuid, uuidV7, uuidV7Timestamp } from './uuid';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  afterEach(() => jest.restoreAllMocks());

  it('has the v7 version and RFC variant bits', () => {
    for (let i = 0; i < 1000; i++) expect(uuidV7()).toMatch(V7);
  });

  it('carries the current time', () => {
    const before = Date.now();
    const id = uuidV7();
    const after = Date.now();
    const timestamp = uuidV7Timestamp(id);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
  });

  it('is unique and sorts in creation order', () => {
    const ids = Array.from({ length: 20_000 }, () => uuidV7());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('stays increasing when many ids share a millisecond (counter overflow borrows the next ms)', () => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2030, 0, 1));
    const ids = Array.from({ length: 10_000 }, () => uuidV7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    ids.forEach((id) => expect(id).toMatch(V7));
  });

  it('stays increasing when the clock steps back', () => {
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now');
    clock.mockReturnValue(now + 60_000);
    const first = uuidV7();
    clock.mockReturnValue(now);
    const second = uuidV7();
    expect(second > first).toBe(true);
  });

  it('encodes timestamps beyond 32 bits correctly', () => {
    const time = Date.UTC(2100, 5, 1, 12, 0, 0, 123);
    jest.spyOn(Date, 'now').mockReturnValue(time);
    expect(uuidV7Timestamp(uuidV7())).toBe(time);
  });
});

describe('uuidV7Timestamp', () => {
  it('is null for anything but a v7 uuid', () => {
    expect(uuidV7Timestamp('not-a-uuid')).toBeNull();
    expect(uuidV7Timestamp('043607db-80af-457f-8ec0-93761ec3b629')).toBeNull();
  });
});

describe('deterministicEventId', () => {
  it('is a v5 uuid, stable for the same inputs', () => {
    const id = deterministicEventId('ConversionRecorded', '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f');
    expect(id).toMatch(V5);
    expect(deterministicEventId('ConversionRecorded', '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f')).toBe(
      id,
    );
  });

  it('equals the standard uuid v5 of JSON.stringify([namespace, ...parts]) (reproducible anywhere)', () => {
    // Reference values computed with the `uuid` package: v5(name, EVENT_ID_NAMESPACE).
    expect(EVENT_ID_NAMESPACE).toBe('043607db-80af-457f-8ec0-93761ec3b629');
    expect(deterministicEventId('test', 'a', 'b')).toBe('aa39b5c2-a330-5d7c-8c42-f630099698ef');
    expect(deterministicEventId('ConversionRecorded', '0193b6f2-7c4a-7d21-9f3e-2a1b3c4d5e6f')).toBe(
      'b3b702f9-5e93-5369-8ddc-022f350b395e',
    );
  });

  it('differs when the namespace, a part, or the split between parts differs', () => {
    const ids = [
      deterministicEventId('a', 'bc'),
      deterministicEventId('a', 'b', 'c'),
      deterministicEventId('ab', 'c'),
      deterministicEventId('a', 'bc', ''),
      deterministicEventId('b', 'bc'),
      deterministicEventId('a', 'b\u0000c'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('derives the id of the one ConversionRecorded of a postback', () => {
    const { example } = ConversionRecordedDefinition;
    expect(conversionRecordedId(example.payload.postbackId)).toBe(example.id);
  });
});

describe('isUuid', () => {
  it('accepts canonical uuids only', () => {
    expect(isUuid(uuidV7())).toBe(true);
    expect(isUuid('043607DB-80AF-457F-8EC0-93761EC3B629')).toBe(true);
    expect(isUuid('043607db80af457f8ec093761ec3b629')).toBe(false);
    expect(isUuid(42)).toBe(false);
  });
});
