import { EVENT_SCHEMAS } from './event-schemas';
import {
  ConversionRecordedDefinition,
  EVENT_DEFINITIONS,
  IntegrationChangedDefinition,
  PostbackProcessedDefinition,
  PostbackReceivedDefinition,
  type AnyEvent,
} from './events';
import { assertValidEvent, ContractViolationError, parseEvent, validateEvent } from './validation';

/** A deep copy of `event` with `path` (dot-separated) set to `value`, or removed if undefined. */
function withField(event: AnyEvent, path: string, value: unknown): unknown {
  const copy = structuredClone(event) as unknown as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>(
    (node, key) => node[key] as Record<string, unknown>,
    copy,
  );
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

function errorOf(value: unknown): string {
  const result = validateEvent(value);
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.error;
}

type SchemaNode = { required?: string[]; properties?: Record<string, unknown> };

describe.each(EVENT_DEFINITIONS.map((definition) => [definition.type, definition] as const))(
  '%s',
  (_type, definition) => {
    const { example } = definition;
    const schema = EVENT_SCHEMAS[definition.type] as SchemaNode;
    const payloadSchema = definition.payloadSchema as SchemaNode;

    it('accepts its example, also after a JSON round trip', () => {
      expect(validateEvent(example)).toEqual({ ok: true, event: example });
      expect(validateEvent(JSON.parse(JSON.stringify(example))).ok).toBe(true);
    });

    it('example and schema describe the same fields (payload interface ↔ schema drift)', () => {
      expect(Object.keys(example.payload).sort()).toEqual(
        Object.keys(payloadSchema.properties ?? {}).sort(),
      );
    });

    it.each(payloadSchema.required ?? [])('rejects a payload without %s', (field) => {
      expect(errorOf(withField(example, `payload.${field}`, undefined))).toBe(
        `payload.${field} is required`,
      );
    });

    it.each(schema.required ?? [])('rejects an envelope without %s', (field) => {
      expect(errorOf(withField(example, field, undefined))).toBe(`${field} is required`);
    });

    it('rejects a wrong type with the field path', () => {
      const [field] = payloadSchema.required ?? [];
      expect(errorOf(withField(example, `payload.${field}`, { nested: true }))).toMatch(
        new RegExp(`^payload\\.${field} must be .*\\(got object\\)$`),
      );
    });

    it('rejects an unsupported version', () => {
      expect(errorOf(withField(example, 'version', 2))).toBe(
        `version must be 1 for ${definition.type} (got number 2)`,
      );
      expect(errorOf(withField(example, 'version', '1'))).toBe(
        `version must be 1 for ${definition.type} (got "1")`,
      );
    });

    it('rejects a bad envelope id and time', () => {
      expect(errorOf(withField(example, 'id', 'abc'))).toBe('id must be a UUID');
      expect(errorOf(withField(example, 'occurredAt', '24.11.2026'))).toBe(
        'occurredAt must be an ISO 8601 date-time such as "2026-11-24T05:00:00.000Z"',
      );
    });

    it('accepts unknown extra fields (tolerant reader: adding a field is compatible)', () => {
      const newer = withField(example, 'payload.addedInAMinorRelease', 'x');
      expect(validateEvent(newer).ok).toBe(true);
    });

    it('requires integrationId exactly when the event belongs to an integration', () => {
      const result = validateEvent(withField(example, 'integrationId', null));
      if (definition.integrationScoped) {
        expect(result).toEqual({ ok: false, error: 'integrationId must be string (got null)' });
      } else {
        expect(result.ok).toBe(true);
      }
    });
  },
);

describe('envelope checks', () => {
  const example = PostbackReceivedDefinition.example;

  it('rejects non-objects', () => {
    expect(errorOf(null)).toBe('event must be a JSON object (got null)');
    expect(errorOf([example])).toBe('event must be a JSON object (got array)');
    expect(errorOf('{"type":"x"}')).toMatch(/^event must be a JSON object \(got "/);
  });

  it('rejects a missing, non-string or unknown type, naming the known ones', () => {
    expect(errorOf(withField(example, 'type', undefined))).toBe('type is required');
    expect(errorOf(withField(example, 'type', 7))).toBe('type must be a string (got number 7)');
    expect(errorOf(withField(example, 'type', 'PostbackDeleted'))).toBe(
      'type must be one of PostbackReceived, ClickRegistered, IntegrationChanged, AccountChanged, ' +
        'PostbackProcessed, ConversionRecorded, DestinationChanged, DeliveryScheduled, ' +
        'DeliveryAttempted (got "PostbackDeleted")',
    );
    expect(errorOf(withField(example, 'type', '__proto__'))).toMatch(/^type must be one of /);
  });

  it('truncates huge offending values in messages', () => {
    const error = errorOf(withField(example, 'type', 'x'.repeat(100_000)));
    expect(error.length).toBeLessThan(300);
  });

  it('rejects a payload that is not an object', () => {
    expect(errorOf(withField(example, 'payload', 'x'))).toBe('payload must be object (got "x")');
    const conversion = ConversionRecordedDefinition.example;
    expect(errorOf(withField(conversion, 'payload', null))).toBe(
      'payload must be object (got null)',
    );
  });

  it('rejects a missing version', () => {
    expect(errorOf(withField(example, 'version', undefined))).toBe('version is required');
  });
});

describe('PostbackReceived', () => {
  const example = PostbackReceivedDefinition.example;

  it('accepts repeated parameters as arrays and a form body', () => {
    const event = withField(example, 'payload.query', { a: ['1', '2'], b: '' });
    expect(
      validateEvent(withField(event as AnyEvent, 'payload.body', { x: '1', y: ['2'] })).ok,
    ).toBe(true);
  });

  it('rejects a non-string parameter value with its bracketed name', () => {
    expect(errorOf(withField(example, 'payload.query', { 'tracker.event': 5 }))).toBe(
      'payload.query["tracker.event"] must be string or array (got number 5)',
    );
    expect(errorOf(withField(example, 'payload.query', { a: ['1', 2] }))).toBe(
      'payload.query.a[1] must be string (got number 2)',
    );
  });

  it('records any partner input as is: empty, odd or unsubstituted values are data', () => {
    const odd = withField(example, 'payload.clickId', '{click_id}');
    expect(validateEvent(withField(odd as AnyEvent, 'payload.event', '')).ok).toBe(true);
  });
});

describe('ConversionRecorded', () => {
  const example = ConversionRecordedDefinition.example;

  it('rejects a float amount', () => {
    expect(errorOf(withField(example, 'payload.amount', 12.5))).toBe(
      'payload.amount must be string or null (got number 12.5)',
    );
  });

  it.each(['12,50', '1e3', '.5', '12.', '+5', '012', ' 5', ''])(
    'rejects the amount %j as not a decimal string',
    (amount) => {
      expect(errorOf(withField(example, 'payload.amount', amount))).toMatch(
        /^payload\.amount must match pattern ".*" \(a decimal string such as "-12\.50"\) \(got ".*"\)$/,
      );
    },
  );

  it.each(['0', '50', '50.00', '-12.50', '1234567890.123456', null])(
    'accepts the amount %j',
    (amount) => {
      const withdrawal = {
        ...example,
        payload: {
          ...example.payload,
          kind: 'withdrawal',
          stage: 'withdrawal',
          ordinal: null,
          amount,
        },
      };
      expect(validateEvent(withdrawal).ok).toBe(true);
    },
  );

  it('rejects a lower-case currency', () => {
    expect(errorOf(withField(example, 'payload.currency', 'usd'))).toBe(
      'payload.currency must match pattern "^[A-Z]{3}$" (three upper-case letters (ISO 4217) such as "USD") (got "usd")',
    );
  });

  it('rejects an unknown kind or stage, listing the allowed ones', () => {
    expect(errorOf(withField(example, 'payload.stage', 'fd'))).toBe(
      'payload.stage must be one of "registration", "email_confirmation", "first_deposit", ' +
        '"redeposit", "withdrawal", "commission", "custom", "reversal" (got "fd")',
    );
  });

  it('rejects a non-integer or zero ordinal', () => {
    expect(errorOf(withField(example, 'payload.ordinal', 1.5))).toBe(
      'payload.ordinal must be integer or null (got number 1.5)',
    );
    expect(errorOf(withField(example, 'payload.ordinal', 0))).toBe('payload.ordinal must be >= 1');
  });

  it('rejects a click id the tracker could not have minted', () => {
    expect(errorOf(withField(example, 'payload.clickId', 'short'))).toMatch(
      /^payload\.clickId must match pattern .* \(10 to 16 characters of 0-9, A-Z, a-z\) \(got "short"\)$/,
    );
  });

  it('enforces the funnel rules between kind, stage and ordinal, saying which value triggered them', () => {
    const conversion = (patch: Record<string, unknown>) => ({
      ...example,
      payload: { ...example.payload, ...patch },
    });
    expect(errorOf(conversion({ stage: 'first_deposit', ordinal: 2 }))).toBe(
      'payload.ordinal must be 1 when payload.stage is "first_deposit"',
    );
    expect(errorOf(conversion({ stage: 'redeposit', ordinal: 1 }))).toBe(
      'payload.ordinal must be >= 2 when payload.stage is "redeposit"',
    );
    expect(errorOf(conversion({ kind: 'registration', stage: 'registration', ordinal: 1 }))).toBe(
      'payload.ordinal must be null (got number 1) when payload.stage is "registration"',
    );
    expect(errorOf(conversion({ kind: 'registration', stage: 'first_deposit' }))).toBe(
      'payload.stage must be one of "registration", "reversal" (got "first_deposit") when payload.kind is "registration"',
    );
    expect(errorOf(conversion({ kind: 'deposit', stage: 'withdrawal', ordinal: null }))).toBe(
      'payload.stage must be one of "first_deposit", "redeposit", "reversal" (got "withdrawal") when payload.kind is "deposit"',
    );
    expect(
      validateEvent(conversion({ kind: 'first_deposit', stage: 'redeposit', ordinal: 3 })).ok,
    ).toBe(true);
    expect(validateEvent(conversion({ kind: 'custom', stage: 'custom', ordinal: null })).ok).toBe(
      true,
    );
  });

  it('takes a reversal with the reversed kind, no ordinal and the conversion it cancels', () => {
    const [reversal] = ConversionRecordedDefinition.moreExamples!;
    expect(validateEvent(reversal).ok).toBe(true);
    const patched = (patch: Record<string, unknown>) => ({
      ...reversal,
      payload: { ...reversal.payload, ...patch },
    });
    expect(validateEvent(patched({ kind: 'commission' })).ok).toBe(true);
    expect(errorOf(patched({ ordinal: 2 }))).toBe(
      'payload.ordinal must be null (got number 2) when payload.stage is "reversal"',
    );
    expect(errorOf(patched({ reverses: null }))).toMatch(/payload.reverses must be string/);
    expect(errorOf(withField(example, 'payload.reverses', reversal.payload.reverses))).toMatch(
      /payload.reverses must be null/,
    );
  });

  it('still takes an event written before reversals existed (no reverses field)', () => {
    expect(validateEvent(withField(example, 'payload.reverses', undefined)).ok).toBe(true);
  });
});

describe('PostbackProcessed', () => {
  const example = PostbackProcessedDefinition.example;
  const outcome = (patch: Record<string, unknown>) => ({
    ...example,
    payload: { ...example.payload, ...patch },
  });

  it('accepts a rejection without a conversion or click id', () => {
    const rejected = outcome({
      status: 'rejected',
      errorCode: 'unknown_event',
      error: 'unknown event "dep"; configured: registration, conf, resale',
      conversionId: null,
      conversion: null,
    });
    delete (rejected.payload as { clickId?: unknown }).clickId;
    expect(validateEvent(rejected).ok).toBe(true);
  });

  it('does not allow "received" or unknown error codes', () => {
    expect(errorOf(outcome({ status: 'received' }))).toMatch(
      /^payload\.status must be one of "attributed", /,
    );
    expect(errorOf(outcome({ status: 'rejected', errorCode: 'bad', conversionId: null }))).toMatch(
      /^payload\.errorCode must be one of "click_id_missing", .*, null \(got "bad"\)$/,
    );
  });

  it('ties errorCode and conversionId to the status', () => {
    expect(errorOf(outcome({ errorCode: 'duplicate' }))).toBe(
      'payload.errorCode must be null (got "duplicate") when payload.status is "attributed"',
    );
    expect(errorOf(outcome({ conversionId: null }))).toBe(
      'payload.conversionId must be string (got null) when payload.status is "attributed"',
    );
    expect(errorOf(outcome({ status: 'duplicate', errorCode: null, conversionId: null }))).toBe(
      'payload.errorCode must be string (got null) when payload.status is "duplicate"',
    );
  });

  it('names nested fields of the conversion summary', () => {
    expect(errorOf(outcome({ conversion: { ...example.payload.conversion, amount: 50 } }))).toBe(
      'payload.conversion.amount must be string or null (got number 50)',
    );
  });
});

describe('IntegrationChanged', () => {
  const example = IntegrationChangedDefinition.example;

  it('names the offending event of the snapshot by index', () => {
    const events = [
      ...example.payload.events,
      { name: 'bad name', label: 'x', kind: 'deposit', params: {} },
    ];
    expect(errorOf(withField(example, 'payload.events', events))).toMatch(
      /^payload\.events\[3\]\.name must match pattern /,
    );
    const badKind = [{ ...example.payload.events[0], kind: 'sale' }];
    expect(errorOf(withField(example, 'payload.events', badKind))).toMatch(
      /^payload\.events\[0\]\.kind must be one of "registration", /,
    );
  });

  it('requires a positive rate limit when one is set', () => {
    expect(validateEvent(withField(example, 'payload.rateLimitPerSecond', 100)).ok).toBe(true);
    expect(validateEvent(withField(example, 'payload.rateLimitPerSecond', undefined)).ok).toBe(
      true,
    );
    expect(errorOf(withField(example, 'payload.rateLimitPerSecond', 0))).toBe(
      'payload.rateLimitPerSecond must be > 0',
    );
  });
});

describe('assertValidEvent', () => {
  it('returns the valid event and throws ContractViolationError with the message otherwise', () => {
    const example = ConversionRecordedDefinition.example;
    expect(assertValidEvent(example)).toBe(example);
    const bad = withField(example, 'payload.currency', 'usd');
    expect(() => assertValidEvent(bad)).toThrow(ContractViolationError);
    expect(() => assertValidEvent(bad)).toThrow(/^payload\.currency must match pattern/);
  });
});

describe('parseEvent', () => {
  const example = PostbackReceivedDefinition.example;

  it('decodes UTF-8 JSON from a Buffer or string', () => {
    const json = JSON.stringify(example);
    expect(parseEvent(Buffer.from(json))).toEqual({ ok: true, event: example });
    expect(parseEvent(new TextEncoder().encode(json))).toEqual({ ok: true, event: example });
    expect(parseEvent(json)).toEqual({ ok: true, event: example });
  });

  it('reports broken JSON and tombstones', () => {
    const broken = parseEvent(Buffer.from('{"id":'));
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^value is not valid JSON: /);
    expect(parseEvent(null)).toEqual({
      ok: false,
      error: 'value is null (a tombstone, not an event)',
    });
  });
});
