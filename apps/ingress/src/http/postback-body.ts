import { readJsonBody } from '@tracker/contracts';

/** A postback body as the ingress records it: parsed when possible, else kept raw with why. */
export interface PostbackBody {
  body: Record<string, unknown> | null;
  bodyError: string | null;
  rawBody: string | null;
}

/** What the tolerant parsers hand the postback route (so it can tell parsed from raw). */
export class ParsedPostbackBody implements PostbackBody {
  constructor(
    readonly body: Record<string, unknown> | null,
    readonly bodyError: string | null = null,
    readonly rawBody: string | null = null,
  ) {}
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(bytes: Buffer): { text: string; error: string | null } {
  try {
    return { text: utf8.decode(bytes), error: null };
  } catch {
    return { text: bytes.toString('utf8'), error: 'body is not valid UTF-8' };
  }
}

/** JSON postback bodies: a flat object is a body; anything else is carried raw with the reason. */
export function parseJsonPostbackBody(bytes: Buffer): ParsedPostbackBody {
  if (bytes.length === 0) return new ParsedPostbackBody(null);
  const { text, error } = decode(bytes);
  const { body, bodyError, rawBody } = readJsonBody(text, error);
  return new ParsedPostbackBody(body, bodyError, rawBody);
}

/** Content types the postback endpoint does not parse are still recorded, raw. */
export function unparsedPostbackBody(bytes: Buffer, contentType: string): ParsedPostbackBody {
  if (bytes.length === 0) return new ParsedPostbackBody(null);
  const { text } = decode(bytes);
  return new ParsedPostbackBody(null, `unsupported content type '${contentType}'`, text);
}

/** Whatever Fastify put in request.body for the postback route, as the event records it. */
export function toPostbackBody(body: unknown, contentType: string | undefined): PostbackBody {
  if (body instanceof ParsedPostbackBody) return body;
  if (body === undefined || body === null || body === '') return new ParsedPostbackBody(null);
  if (typeof body === 'string') {
    return new ParsedPostbackBody(null, `unsupported content type '${contentType ?? ''}'`, body);
  }
  if (typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) {
    // Form bodies: parsed by the platform's tolerant urlencoded parser (repeated names as arrays).
    return new ParsedPostbackBody(body as Record<string, unknown>);
  }
  return new ParsedPostbackBody(null, 'body could not be read', null);
}
