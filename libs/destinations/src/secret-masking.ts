/**
 * Secrets in destinations (SPEC section 4): the path segment after `/bot` (Telegram), query
 * values named `access_token`, `token`, `key` or `secret`, and the `Authorization` and `*-token`
 * headers; beyond SPEC's list, the names APIs also use for credentials (`api_key`, `apikey`,
 * `password`, `*_token`, `*_key`, `*_secret`; `X-Api-Key` and other `*-key`/`*-secret`
 * headers, `Cookie`, `Proxy-Authorization`; query names ending in `token`, `key`, `secret` or
 * `password` in any case, camelCase included). They are shown as `•••` plus their last 4
 * characters in every answer, log and event.
 */
export const MASK_PREFIX = '•••';

// Beyond the names the suffixes below already cover (access_token, token, key, apikey, …).
const SECRET_QUERY_NAMES = new Set(['passwd']);
// Names are compared in lower case, so camelCase ones (`accessToken`, `apiKey`, `clientSecret`)
// end in the bare word: a name such as `monkey` is masked too, which hides a value, never leaks one.
const SECRET_NAME_SUFFIXES = ['token', 'key', 'secret', 'password'];

function isSecretQueryName(name: string): boolean {
  return SECRET_QUERY_NAMES.has(name) || SECRET_NAME_SUFFIXES.some((end) => name.endsWith(end));
}

/** `•••` + the last 4 characters (fewer when the secret is shorter than 8, so most stays hidden). */
export function maskSecret(secret: string): string {
  const visible = secret.length >= 8 ? 4 : Math.max(0, secret.length - 4);
  return `${MASK_PREFIX}${visible > 0 ? secret.slice(-visible) : ''}`;
}

export function isMasked(value: string): boolean {
  return value.startsWith(MASK_PREFIX);
}

/**
 * A header whose value is a secret: `Authorization` and every `*-token` (SPEC section 4), and
 * `Proxy-Authorization`, `Cookie`, `ApiKey`, every `*-key` and `*-secret` (`X-Api-Key`), except
 * the `Idempotency-Key` the dispatcher sets (a delivery id, shown as it is).
 */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'idempotency-key') return false;
  return (
    ['authorization', 'proxy-authorization', 'cookie', 'apikey'].includes(lower) ||
    ['-token', '-key', '-secret'].some((end) => lower.endsWith(end))
  );
}

/**
 * Where a URL (or URL template) sends its request: its scheme and authority, lower case, or
 * null when it has none. A masked secret sent back is kept only while this stays the same, so
 * nobody can move a stored token to an address of their own and read it there.
 */
export function urlOrigin(url: string): string | null {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url.trim());
  return match ? match[1].toLowerCase() : null;
}

/** Whether a PATCH keeps the destination's address: the stored secrets may then stay. */
export function sameOrigin(incomingUrl: string, storedUrl: string): boolean {
  const origin = urlOrigin(incomingUrl);
  return origin !== null && origin === urlOrigin(storedUrl);
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
      if (eq !== -1 && isSecretQueryName(decodeName(part.slice(0, eq))) && eq < part.length - 1) {
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
 * slot (a PATCH that sends a masked value back keeps the stored one, SPEC section 4), as long as
 * it goes to the same scheme, host and port (`sameOrigin`). A masked value with no stored
 * secret to stand for, or sent to another address, is left as sent; the caller refuses it.
 */
export function unmaskUrl(incoming: string, stored: string): string {
  if (!sameOrigin(incoming, stored)) return incoming;
  const storedSlots = secretSlots(stored);
  return replaceSlots(incoming, secretSlots(incoming), (slot, value) => {
    if (!isMasked(value)) return value;
    const match = storedSlots.find((s) => s.name === slot.name);
    const secret = match ? stored.slice(match.start, match.end) : undefined;
    return secret !== undefined && maskSecret(secret) === value ? secret : value;
  });
}

/**
 * Headers sent back by a client, masked secret values replaced by the stored ones; none when
 * `sameAddress` is false (the request would go elsewhere: see `sameOrigin`).
 */
export function unmaskHeaders(
  incoming: Record<string, string>,
  stored: Record<string, string>,
  sameAddress = true,
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    let kept = value;
    if (sameAddress && isSecretHeader(name) && isMasked(value)) {
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

/**
 * A PATCH's url and headers with the stored secrets it may keep (SPEC section 4: a masked value
 * sent back keeps the stored secret), only while the URL keeps its scheme, host and port. Left
 * out, the url or headers stay as stored; but headers left out while the URL moves elsewhere
 * come back masked, so their secrets cannot follow it (the caller refuses masked values).
 */
export function keptSecrets(
  change: { url?: string; headers?: Record<string, string> },
  stored: { url: string; headers: Record<string, string> },
): { url: string; headers: Record<string, string> } {
  const sameAddress = change.url === undefined || sameOrigin(change.url, stored.url);
  let headers = stored.headers;
  if (change.headers !== undefined) {
    headers = unmaskHeaders(change.headers, stored.headers, sameAddress);
  } else if (!sameAddress) {
    headers = maskHeaders(stored.headers);
  }
  return {
    url: change.url === undefined ? stored.url : unmaskUrl(change.url, stored.url),
    headers,
  };
}
