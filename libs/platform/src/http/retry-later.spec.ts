import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { replyWithApiError } from './api-exception.filter';
import { RetryLaterException } from './retry-later';

/** A reply that records what the filter set on it. */
function recordingReply() {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = {
    headers: {},
  };
  const reply = {
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    status(code: number) {
      sent.status = code;
      return reply;
    },
    send(body: unknown) {
      sent.body = body;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, sent };
}

describe('RetryLaterException', () => {
  const logger = new Logger('test');

  it('given a refusal with a wait, when answered, then Retry-After gives whole seconds, at least 1', () => {
    const { reply, sent } = recordingReply();
    replyWithApiError(reply, new RetryLaterException('over the limit', 0.25), logger);
    expect(sent).toEqual({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { statusCode: 429, message: 'over the limit' },
    });
    const later = recordingReply();
    replyWithApiError(later.reply, new RetryLaterException('busy', 2.5, 503), logger);
    expect(later.sent.status).toBe(503);
    expect(later.sent.headers['retry-after']).toBe('3');
  });

  it('given any other error, when answered, then there is no Retry-After', () => {
    const { reply, sent } = recordingReply();
    replyWithApiError(reply, new Error('boom'), { error: () => undefined } as unknown as Logger);
    expect(sent).toEqual({
      status: 500,
      headers: {},
      body: { statusCode: 500, message: 'internal server error' },
    });
  });
});
