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
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (parseError) {
    return new ParsedPostbackBody(
      null,
      `body is not valid JSON: ${(parseError as Error).message}`,
      text,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return new ParsedPostbackBody(null, 'JSON body must be a flat object', text);
  }
  const nested = Object.keys(value).filter((key) => {
    const field = (value as Record<string, unknown>)[key];
    return field !== null && typeof field === 'object';
  });
  const problems = [
    error,
    nested.length > 0 ? `nested values in JSON body: ${nested.join(', ')}` : null,
  ];
  const bodyError = problems.filter(Boolean).join('; ') || null;
  return new ParsedPostbackBody(
    value as Record<string, unknown>,
    bodyError,
    bodyError ? text : null,
  );
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
