import { forgetApiKey, readApiKey } from './session';

/** An answer of the API other than 2xx: `{statusCode, message, field?}` (SPEC section 4). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

/** The API could not be reached at all (server down, network gone). */
export class ApiDownError extends Error {}

/** Fired when a request answers 401: the key is gone or revoked; the app returns to sign-in. */
export const UNAUTHORIZED_EVENT = 'tracker:unauthorized';

interface RequestOptions {
  body?: unknown;
  /** Overrides the tab's API key (the admin token for `POST /api/accounts`, a key to test). */
  token?: string;
  signal?: AbortSignal;
}

/**
 * The form field an error belongs to: the top-level name of the API's `field`
 * (`headers.X-Api-Token` → `headers`), or guessed from the message when the API did not say
 * (`"limit must be …"`, `"url uses an unknown macro {x}"`, `"url points to a … private address"`).
 */
export function fieldOf(body: { field?: unknown; message?: unknown }): string | null {
  if (typeof body.field === 'string' && body.field !== '') return body.field.split('.')[0];
  if (typeof body.message === 'string') {
    const match = /^([A-Za-z][\w.-]*)(?: must| should|:| is | uses | has | points )/.exec(
      body.message,
    );
    if (match) return match[1].split('.')[0];
  }
  return null;
}

/** Calls the tracker's HTTP API on the same origin; resolves with the parsed JSON body. */
export async function api<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const token = options.token ?? readApiKey();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiDownError('unreachable');
  }
  const text = await response.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      // A proxy's HTML error page: the API itself is not answering.
      if (response.status >= 500) throw new ApiDownError(`HTTP ${response.status}`);
      body = { message: text.slice(0, 200) };
    }
  }
  if (!response.ok) {
    if (response.status === 502 || response.status === 504)
      throw new ApiDownError(`HTTP ${response.status}`);
    const payload = (body ?? {}) as { message?: unknown; field?: unknown };
    const message = Array.isArray(payload.message)
      ? payload.message.join('; ')
      : String(payload.message ?? response.statusText);
    if (response.status === 401 && options.token === undefined && token) {
      forgetApiKey();
      window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    }
    throw new ApiError(response.status, message, fieldOf(payload));
  }
  return body as T;
}

/** Builds `?a=1&b=2` from the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
