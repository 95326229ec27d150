import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { FastifyError, FastifyReply } from 'fastify';
import { RetryLaterException } from './retry-later';

/** The SPEC section 4 error body; `field` names the request field at fault when there is one. */
export interface ApiError {
  statusCode: number;
  message: string;
  field?: string;
}

/** Fastify's own 4xx (bad JSON, body too large, …) carry a statusCode we can pass on. */
function fastifyClientError(error: unknown): ApiError | null {
  const candidate = error as Partial<FastifyError>;
  if (typeof candidate?.statusCode !== 'number' || candidate.statusCode >= 500) return null;
  const messages: Record<string, string> = {
    FST_ERR_CTP_BODY_TOO_LARGE: 'request body is larger than the allowed 16 KiB',
    FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported content type',
    FST_ERR_CTP_EMPTY_JSON_BODY: 'body must not be empty when content-type is application/json',
  };
  const message =
    (candidate.code && messages[candidate.code]) ||
    (candidate.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || candidate instanceof SyntaxError
      ? 'body is not valid JSON'
      : (candidate.message ?? 'bad request'));
  return { statusCode: candidate.statusCode, message };
}

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

/** Turns any thrown error into the SPEC's `{"statusCode", "message", "field"?}` body. */
export function toApiError(error: unknown, logger: Logger): ApiError {
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    let message: string;
    let field: string | undefined;
    if (typeof response === 'string') message = response;
    else {
      const raw = (response as { message?: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : error.message;
      const named = (response as { field?: unknown }).field;
      if (typeof named === 'string') field = named;
    }
    return field === undefined
      ? { statusCode: status, message }
      : { statusCode: status, message, field };
  }
  const clientError = fastifyClientError(error);
  if (clientError) return clientError;
  // query_canceled: the API pool's statement timeout (SPEC section 9) stopped a costly query.
  if ((error as { code?: unknown } | null)?.code === QUERY_CANCELED) {
    logger.warn(`query cancelled by the statement timeout: ${(error as Error).message}`);
    return {
      statusCode: 503,
      message: 'the query took longer than the API allows; narrow it (e.g. with from and to)',
    };
  }
  logger.error(
    `unhandled error: ${(error as Error)?.message ?? String(error)}`,
    (error as Error)?.stack,
  );
  return { statusCode: 500, message: 'internal server error' };
}

/**
 * Answers `error` as the SPEC's error body, with its status, and `Retry-After` when the error
 * says when to come back (RetryLaterException). Shared by the filter and the raw Fastify routes.
 */
export function replyWithApiError(
  reply: FastifyReply,
  error: unknown,
  logger: Logger,
): FastifyReply {
  const body = toApiError(error, logger);
  if (error instanceof RetryLaterException) {
    void reply.header('retry-after', String(error.retryAfterSeconds));
  }
  return reply.status(body.statusCode).send(body);
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (!reply.sent) void replyWithApiError(reply, exception, this.logger);
  }
}
