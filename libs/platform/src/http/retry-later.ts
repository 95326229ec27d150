import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A refusal that tells the client when to come back: answered with a `Retry-After` header (whole
 * seconds, RFC 9110 section 10.2.3) by ApiExceptionFilter, and the SPEC section 4 error body.
 * A partner that retries on its own (SPEC section 4: `429` over an integration's rate limit)
 * then waits as long as it has to, not as long as it guesses.
 */
export class RetryLaterException extends HttpException {
  /** Whole seconds, at least 1. */
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, status = HttpStatus.TOO_MANY_REQUESTS) {
    super({ statusCode: status, message }, status);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
