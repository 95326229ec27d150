import type { EventEnvelope } from '../envelope';
import type { JsonSchema } from '../json-schema';
import type { TopicName } from '../topics';

/** Everything the contract knows about one event type at one version. */
export interface EventDefinition<TEvent extends EventEnvelope> {
  type: TEvent['type'];
  version: TEvent['version'];
  /** The topic this event is published on. */
  topic: TopicName;
  description: string;
  /** The envelope must carry a non-null `integrationId` (the event belongs to one). */
  integrationScoped: boolean;
  payloadSchema: JsonSchema;
  /**
   * Cross-field rules (if/then on direct properties of the payload), checked only once the
   * payload matches `payloadSchema`, so a wrong field is reported before a broken rule.
   */
  payloadRules?: readonly JsonSchema[];
  /** A realistic, valid event: documentation, published with the schema, and a test fixture. */
  example: TEvent;
  /** Further valid events showing other shapes (e.g. a reversal), published with the schema. */
  moreExamples?: readonly TEvent[];
}
