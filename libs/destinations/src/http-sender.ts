import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { RenderedRequest } from './rendered-request';
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

// Keep-alive pools: outgoing postbacks to one receiver reuse their connections. One pair per
// address policy: a socket opened where private addresses are allowed must never be reused
// where they are not (pools are keyed by host and port only).
const newAgents = () => ({
  http: new http.Agent({ keepAlive: true, maxSockets: 256 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 256 }),
});
const agentsByPolicy = { allowPrivate: newAgents(), publicOnly: newAgents() };

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
  const body = request.body === null ? null : Buffer.from(request.body, 'utf8');
  const transport = url.protocol === 'https:' ? https : http;
  const agents = options.allowPrivate ? agentsByPolicy.allowPrivate : agentsByPolicy.publicOnly;
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    let outgoing: http.ClientRequest | undefined;
    const timer = setTimeout(() => {
      finish(failure('timeout', `timeout after ${timeoutMs} ms`));
      outgoing?.destroy();
    }, timeoutMs);
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    try {
      outgoing = transport.request(
        url,
        {
          method: request.method,
          headers: {
            'user-agent': 'postback-tracker',
            ...request.headers,
            ...(body ? { 'content-length': String(body.length) } : {}),
          },
          agent: agents[url.protocol === 'https:' ? 'https' : 'http'],
          ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
        },
        (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () => {
            const status = response.statusCode ?? null;
            const text = Buffer.concat(chunks)
              .subarray(0, RESPONSE_BODY_MAX_BYTES)
              .toString('utf8');
            const location =
              typeof response.headers.location === 'string' ? response.headers.location : null;
            finish({
              status,
              body: text,
              error: null,
              errorKind: null,
              location,
              durationMs: elapsed(),
            });
          };
          response.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            // Enough read: the rest of a large answer is not ours to download.
            if (size >= RESPONSE_BODY_MAX_BYTES) {
              done();
              response.destroy();
            }
          });
          response.on('end', done);
          response.on('error', done);
          response.on('aborted', done);
        },
      );
    } catch (error) {
      // Node refuses some rendered values itself, e.g. a control character in a header.
      return finish(failure('invalid_request', (error as Error).message));
    }
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof PrivateAddressError || error.message.startsWith('private address')) {
        finish(failure('private_address', error.message));
      } else {
        finish(failure('connection', `${error.code ?? 'error'}: ${error.message}`));
      }
    });
    outgoing.end(body ?? undefined);
  });
}
