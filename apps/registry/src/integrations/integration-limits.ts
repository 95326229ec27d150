import { MAX_MESSAGE_BYTES } from '@tracker/kafka';

/**
 * How many events one integration holds. SPEC section 4 sets no number; section 9 wants sizes
 * and lists bounded, and `GET /api/integrations/:id` answers them all. A partner program has a
 * handful (the Pocket Option templates have 3 and 6); 200 leaves room for any custom setup.
 * README "The HTTP API" says it.
 */
export const MAX_EVENTS_PER_INTEGRATION = 200;

/**
 * How many registration links one integration holds (one per bot, campaign or landing page;
 * README "The HTTP API"). `GET /api/integrations/:id/registration-links` pages through them.
 */
export const MAX_LINKS_PER_INTEGRATION = 1000;

/** The 400's message for an event added past MAX_EVENTS_PER_INTEGRATION (field `events`). */
export const TOO_MANY_EVENTS =
  `events: an integration holds at most ${MAX_EVENTS_PER_INTEGRATION} events; ` +
  'delete one before adding another';

/** The 400's message for a link added past MAX_LINKS_PER_INTEGRATION (`registrationLinks`). */
export const TOO_MANY_LINKS =
  `registrationLinks: an integration holds at most ${MAX_LINKS_PER_INTEGRATION} ` +
  'registration links; delete one before adding another';

/** The 400 of a change whose snapshot would not fit in one Kafka message, naming `field`. */
export function snapshotTooLargeMessage(field: string, bytes: number): string {
  return (
    `${field}: an integration with its events and registration links is published as one ` +
    `Kafka message of at most ${MAX_MESSAGE_BYTES} bytes, and this change would make it ` +
    `${bytes}; delete registration links or events, or use shorter URLs and names`
  );
}
