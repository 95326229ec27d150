import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, errors as undiciErrors } from 'undici';
import { headerValue, type RenderedRequest } from './rendered-request';
import { literalHostProblem, nonPublicRange } from './address-policy';

/** SPEC section 4: an attempt that has no answer after 10 s is a timeout. */
export const SEND_TIMEOUT_MS = 10_000;
/** SPEC section 3/4: the first 1 KiB of the answer is kept. */
export const RESPONSE_BODY_MAX_BYTES = 1024;

/** Why an attempt got no usable answer; decides whether it is retried. */
export type SendErrorKind = 'timeout' | 'connection' | 'private_address' | 'invalid_request';

export interface SendResult {
  /** The HTTP status, or null when there was no answer. */
  status: number | null;
  /** First 1 KiB of the answer's body as text, or null without an answer. */
  body: string | null;
  error: string | null;
  errorKind: SendErrorKind | null;
  /** The `location` of a 3xx (never followed). */
  location: string | null;
  durationMs: number;
}

export interface SendOptions {
  /** `DESTINATIONS_ALLOW_PRIVATE=true`: loopback, private and link-local addresses may be used. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
}

/** Open connections kept per destination origin (and address policy); more requests queue. */
export const CONNECTIONS_PER_ORIGIN = 256;

/**
 * Keep-alive connection pools (undici: far less CPU per request than `http.request`), bounded
 * per origin. One agent per address policy: a connection opened where private addresses are
 * allowed must never be reused where they are not. undici follows no redirects.
 */
const newAgent = (allowPrivate: boolean) =>
  new Agent({
    connections: CONNECTIONS_PER_ORIGIN,
    keepAliveTimeout: 30_000,
    ...(allowPrivate ? {} : { connect: { lookup: publicOnlyLookup } }),
  });
let agentsByPolicy: { allowPrivate: Agent; publicOnly: Agent } | null = null;
const agentFor = (allowPrivate: boolean): Agent => {
  agentsByPolicy ??= { allowPrivate: newAgent(true), publicOnly: newAgent(false) };
  return allowPrivate ? agentsByPolicy.allowPrivate : agentsByPolicy.publicOnly;
};

/**
 * Resolves like `dns.lookup` and refuses every non-public address it resolved to: the check
 * runs on the very address the socket connects to, so a name that re-resolves to a private
 * address after it was saved (DNS rebinding) is still refused.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as LookupAddress[];
    const refused = list.find((entry) => nonPublicRange(entry.address) !== null);
    if (refused) {
      const range = nonPublicRange(refused.address);
      return callback(
        new PrivateAddressError(
          `private address: ${hostname} resolves to ${refused.address} (${range})`,
        ),
        '',
        0,
      );
    }
    if ((options as LookupOptions).all)
      return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};

/**
 * Header values as HTTP carries them: bytes. A value with characters beyond ASCII (a campaign
 * "Привет" in `X-Campaign: {campaign}`) goes out as its UTF-8 bytes, which Node only sends when
 * each byte is one Latin-1 character; as text, anything beyond U+00FF made every attempt fail
 * at once ("invalid header"). ASCII values are left as they are.
 */
export function utf8HeaderBytes(headers: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | null = null;
  for (const [name, value] of Object.entries(headers)) {
    // eslint-disable-next-line no-control-regex -- the ASCII range is the point
    if (!/[^\u0000-\u007f]/.test(value)) continue;
    out ??= { ...headers };
    Object.defineProperty(out, name, {
      value: Buffer.from(value, 'utf8').toString('latin1'),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out ?? headers;
}

/**
 * Sends one rendered request: no redirects followed, 10 s for the whole exchange, the answer's
 * body read up to 1 KiB, loopback/private/link-local/metadata addresses refused on the resolved
 * address unless allowed. Never throws: every failure is a `SendResult` with an error.
 */
export async function sendRendered(
  request: RenderedRequest & { headers: Record<string, string> },
  options: SendOptions,
): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failure = (errorKind: SendErrorKind, error: string): SendResult => ({
    status: null,
    body: null,
    error,
    errorKind,
    location: null,
    durationMs: elapsed(),
  });
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return failure('invalid_request', 'the rendered URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return failure('invalid_request', `unsupported scheme ${url.protocol}`);
  }
  if (!options.allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const problem = isIP(host) !== 0 ? literalHostProblem(host) : null;
    if (problem) return failure('private_address', `private address: ${problem}`);
  }
  const timeoutMs = options.timeoutMs ?? SEND_TIMEOUT_MS;
  // The whole exchange, connecting and reading the answer included, has timeoutMs.
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  try {
    const response = await agentFor(options.allowPrivate).request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: utf8HeaderBytes(
        headerValue(request.headers, 'user-agent') === undefined
          ? { 'user-agent': 'postback-tracker', ...request.headers }
          : request.headers,
      ),
      body: request.body,
      signal: abort.signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        size += chunk.length;
        // Enough read: the rest of a large answer is not ours to download.
        if (size >= RESPONSE_BODY_MAX_BYTES) break;
      }
    } catch {
      // The answer broke off (or the timeout struck) after its status: keep what came.
    }
    const location = response.headers.location;
    return {
      status: response.statusCode,
      body: Buffer.concat(chunks).subarray(0, RESPONSE_BODY_MAX_BYTES).toString('utf8'),
      error: null,
      errorKind: null,
      location: typeof location === 'string' ? location : null,
      durationMs: elapsed(),
    };
  } catch (caught) {
    const error = caught as NodeJS.ErrnoException;
    if (timedOut) return failure('timeout', `timeout after ${timeoutMs} ms`);
    if (error instanceof PrivateAddressError || error.message.startsWith('private address')) {
      return failure('private_address', error.message);
    }
    // undici refuses some rendered requests itself, e.g. a control character in a header, or a
    // hop-by-hop header (`Transfer-Encoding`, `Upgrade`, `Expect`): resending cannot help.
    if (
      error instanceof undiciErrors.InvalidArgumentError ||
      error instanceof undiciErrors.NotSupportedError
    ) {
      return failure('invalid_request', error.message);
    }
    return failure('connection', `${error.code ?? 'error'}: ${error.message}`);
  } finally {
    clearTimeout(timer);
  }
}
