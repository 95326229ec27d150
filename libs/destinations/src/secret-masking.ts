/**
 * Secrets in destinations (SPEC section 4): the path segment after `/bot` (Telegram), query
 * values named `access_token`, `token`, `key` or `secret`, and the `Authorization` and `*-token`
 * headers. They are shown as `•••` plus their last 4 characters in every answer, log and event.
 */
export const MASK_PREFIX = '•••';

const SECRET_QUERY_NAMES = new Set(['access_token', 'token', 'key', 'secret']);

/** `•••` + the last 4 characters (fewer when the secret is shorter than 8, so most stays hidden). */
export function maskSecret(secret: string): string {
  const visible = secret.length >= 8 ? 4 : Math.max(0, secret.length - 4);
  return `${MASK_PREFIX}${visible > 0 ? secret.slice(-visible) : ''}`;
}

export function isMasked(value: string): boolean {
  return value.startsWith(MASK_PREFIX);
}

/** A header whose value is a secret: `Authorization` and every `*-token`. */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'authorization' || lower.endsWith('-token');
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

interface SecretSlot {
  /** `bot` for the Telegram path segment, else the query parameter name (lower case). */
  name: string;
  start: number;
  end: number;
}

/**
 * Where the secrets of a URL (or URL template) are, as character ranges of the string itself,
 * so masking touches nothing else: no parsing or re-encoding of the rest.
 */
function secretSlots(url: string): SecretSlot[] {
  const slots: SecretSlot[] = [];
  const hash = url.indexOf('#');
  const end = hash === -1 ? url.length : hash;
  const queryStart = url.indexOf('?');
  const pathEnd = queryStart === -1 || queryStart > end ? end : queryStart;
  const bot = /\/bot([^/?#]+)/.exec(url.slice(0, pathEnd));
  if (bot) {
    const start = bot.index + 4;
    slots.push({ name: 'bot', start, end: start + bot[1].length });
  }
  if (queryStart !== -1 && queryStart < end) {
    let position = queryStart + 1;
    for (const part of url.slice(queryStart + 1, end).split('&')) {
      const eq = part.indexOf('=');
      if (
        eq !== -1 &&
        SECRET_QUERY_NAMES.has(decodeName(part.slice(0, eq))) &&
        eq < part.length - 1
      ) {
        slots.push({
          name: decodeName(part.slice(0, eq)),
          start: position + eq + 1,
          end: position + part.length,
        });
      }
      position += part.length + 1;
    }
  }
  return slots;
}

function replaceSlots(
  url: string,
  slots: SecretSlot[],
  replace: (slot: SecretSlot, value: string) => string,
) {
  let out = '';
  let at = 0;
  for (const slot of slots) {
    out += url.slice(at, slot.start) + replace(slot, url.slice(slot.start, slot.end));
    at = slot.end;
  }
  return out + url.slice(at);
}

/** The URL with its secrets masked; the rest unchanged. */
export function maskUrl(url: string): string {
  return replaceSlots(url, secretSlots(url), (_slot, value) => maskSecret(value));
}

/** The headers with secret values masked. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    Object.defineProperty(masked, name, {
      value: isSecretHeader(name) ? maskSecret(value) : value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return masked;
}

/**
 * A URL sent back by a client, with each masked secret replaced by the stored one of the same
 * slot (a PATCH that sends a masked value back keeps the stored one, SPEC section 4). A masked
 * value with no stored secret to stand for is left as sent; the caller refuses it.
 */
export function unmaskUrl(incoming: string, stored: string): string {
  const storedSlots = secretSlots(stored);
  return replaceSlots(incoming, secretSlots(incoming), (slot, value) => {
    if (!isMasked(value)) return value;
    const match = storedSlots.find((s) => s.name === slot.name);
    const secret = match ? stored.slice(match.start, match.end) : undefined;
    return secret !== undefined && maskSecret(secret) === value ? secret : value;
  });
}

/** Headers sent back by a client, masked secret values replaced by the stored ones. */
export function unmaskHeaders(
  incoming: Record<string, string>,
  stored: Record<string, string>,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    let kept = value;
    if (isSecretHeader(name) && isMasked(value)) {
      const match = Object.entries(stored).find(
        ([key]) => key.toLowerCase() === name.toLowerCase(),
      );
      if (match && maskSecret(match[1]) === value) kept = match[1];
    }
    Object.defineProperty(result, name, {
      value: kept,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

/** True when a URL or header map still holds a masked value (one no stored secret stood for). */
export function containsMaskedSecret(url: string, headers: Record<string, string>): boolean {
  return (
    url.includes(MASK_PREFIX) || Object.values(headers).some((value) => value.includes(MASK_PREFIX))
  );
}
