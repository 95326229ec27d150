import {
  EVENT_DEFINITIONS,
  EVENT_DEFINITIONS_BY_TYPE,
  type AnyEvent,
  type EventDefinition,
  type EventType,
} from './events';
import {
  JSON_SCHEMA_DIALECT,
  isoDateTime,
  nonEmptyString,
  nullableString,
  uuid,
  withDescription,
  type JsonSchema,
} from './json-schema';

/** Stable identifier of a published schema, also its file name without `.schema.json`. */
export const schemaName = (definition: Pick<EventDefinition<AnyEvent>, 'type' | 'version'>) =>
  `${definition.type}.v${definition.version}`;

export const schemaId = (definition: Pick<EventDefinition<AnyEvent>, 'type' | 'version'>) =>
  `urn:postback-tracker:contracts:${schemaName(definition)}`;

/** The full message schema of one event type: the envelope with that type's payload. */
export function envelopeSchema(definition: EventDefinition<AnyEvent>): JsonSchema {
  const integrationId = definition.integrationScoped
    ? withDescription(nonEmptyString, 'The integration this event belongs to.')
    : withDescription(nullableString, 'The integration this event belongs to, if any.');
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: schemaId(definition),
    title: `${definition.type} v${definition.version}`,
    description: `${definition.description} Topic: ${definition.topic}.`,
    type: 'object',
    required: [
      'id',
      'type',
      'version',
      'occurredAt',
      'accountId',
      ...(definition.integrationScoped ? ['integrationId'] : []),
      'payload',
    ],
    properties: {
      id: withDescription(uuid, 'Event id (UUID v7 unless derived); the idempotency key.'),
      type: { const: definition.type },
      version: { const: definition.version },
      occurredAt: withDescription(isoDateTime, 'When the fact happened (ISO 8601, UTC).'),
      accountId: nonEmptyString,
      integrationId,
      correlationId: withDescription(nullableString, 'Ties related events, e.g. the click id.'),
      causationId: withDescription(nullableString, 'Id of the event that caused this one.'),
      payload: definition.payloadRules
        ? { type: 'object', allOf: [definition.payloadSchema, ...definition.payloadRules] }
        : definition.payloadSchema,
    },
    examples: [definition.example, ...(definition.moreExamples ?? [])],
  };
}

/** Published JSON Schema of every event type at its current version, by type. */
export const EVENT_SCHEMAS: { readonly [TType in EventType]: JsonSchema } = Object.fromEntries(
  Object.values(EVENT_DEFINITIONS_BY_TYPE).map((definition) => [
    definition.type,
    envelopeSchema(definition),
  ]),
) as { [TType in EventType]: JsonSchema };

/** Every supported (type, version) with its schema, including older versions kept for replay. */
export const VERSIONED_EVENT_SCHEMAS: readonly {
  definition: EventDefinition<AnyEvent>;
  schema: JsonSchema;
}[] = EVENT_DEFINITIONS.map((definition) => ({ definition, schema: envelopeSchema(definition) }));
