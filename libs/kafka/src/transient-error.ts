/**
 * A failure that says nothing about the message (a broker or cache briefly unavailable): the
 * batch consumer retries it for as long as it runs instead of dead-lettering the message.
 */
export class TransientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransientError';
  }
}
