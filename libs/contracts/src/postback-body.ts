/**
 * Reading a postback's body (SPEC section 4, Postbacks): `application/x-www-form-urlencoded`
 * or a flat `application/json` object add parameters; anything else is kept raw with the
 * reason, for `invalid_body` (SPEC section 5). Shared by the ingress and the dry run.
 */

import { parseFormEncoded } from './form-decoding';

/** A body as a PostbackReceived records it: parsed when possible, else raw with why. */
export interface PostbackBodyReading {
  body: Record<string, unknown> | null;
  bodyError: string | null;
  rawBody: string | null;
}

const NONE: PostbackBodyReading = { body: null, bodyError: null, rawBody: null };

/**
 * A JSON body's text: a flat object is the body; anything else is carried raw with the reason.
 * `decodeError` says the bytes were not valid UTF-8 (the text then holds U+FFFD).
 */
export function readJsonBody(text: string, decodeError: string | null = null): PostbackBodyReading {
  if (text.length === 0) return NONE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (parseError) {
    return {
      body: null,
      bodyError: `body is not valid JSON: ${(parseError as Error).message}`,
      rawBody: text,
    };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { body: null, bodyError: 'JSON body must be a flat object', rawBody: text };
  }
  const nested = Object.keys(value).filter((key) => {
    const field = (value as Record<string, unknown>)[key];
    return field !== null && typeof field === 'object';
  });
  const problems = [
    decodeError,
    nested.length > 0 ? `nested values in JSON body: ${nested.join(', ')}` : null,
  ];
  const bodyError = problems.filter(Boolean).join('; ') || null;
  return { body: value as Record<string, unknown>, bodyError, rawBody: bodyError ? text : null };
}

/**
 * A form body's text: repeated names as arrays in order, decoded as every query is
 * (parseFormEncoded: invalid UTF-8 as U+FFFD).
 */
export function readFormBody(text: string): PostbackBodyReading {
  if (text.length === 0) return NONE;
  return { body: parseFormEncoded(text), bodyError: null, rawBody: null };
}

/** A body's text under the content type it was sent with (null: none sent). */
export function readPostbackBody(text: string, contentType: string | null): PostbackBodyReading {
  if (text.length === 0) return NONE;
  const mediaType = (contentType ?? '').split(';', 1)[0].trim().toLowerCase();
  if (mediaType === 'application/json') return readJsonBody(text);
  if (mediaType === 'application/x-www-form-urlencoded') return readFormBody(text);
  return {
    body: null,
    bodyError: `unsupported content type '${contentType ?? ''}'`,
    rawBody: text,
  };
}
