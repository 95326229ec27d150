/** What one call may add to the request; every field is optional. */
export interface ApiCallOptions {
  /** Sent as JSON with `content-type: application/json`; `undefined` sends no body. */
  body?: unknown;
  /**
   * The bearer key of this call instead of the client's default (an account's API key, or the
   * admin token for `/api/accounts`); `null` sends no `authorization` header at all.
   */
  key?: string | null;
  /** More request headers, names in lower case; one named here replaces the client's own. */
  headers?: Record<string, string>;
}

/** What the tracker answered. */
export interface ApiAnswer<T> {
  status: number;
  /**
   * The answer parsed as JSON; an answer that is not JSON (the console's HTML, a plain-text
   * error) keeps its text as a string; an empty one (a `204`) is `null`.
   */
  body: T;
  headers: Headers;
}

/**
 * One call to the tracker's HTTP API. `T` is what the test expects the body to be (not checked:
 * assert on it); left out, the body is as loosely typed as `JSON.parse`'s result.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs read answers ad hoc, as JSON.parse does
export type ApiCall = <T = any>(
  method: string,
  path: string,
  options?: ApiCallOptions,
) => Promise<ApiAnswer<T>>;

/**
 * The tests' client of the tracker's HTTP API (SPEC section 4): `path` is appended to `baseUrl`,
 * the bearer key is the call's `key` or else `defaultKey` (none when both are absent), and a
 * redirect is answered as it is (status `3xx` and its `location`), never followed. Never throws
 * for a status: `4xx` and `5xx` are answers to assert on; only a network failure rejects.
 *
 * `baseUrl` and `defaultKey` may be functions, read at each call, so a `describe` can make its
 * client before `beforeAll` starts the app and creates the account:
 *
 * ```ts
 * const api = apiClient(() => tracker.baseUrl, () => apiKey);
 * const created = await api<{ id: string }>('POST', '/api/integrations', { body: { template } });
 * const account = await api('POST', '/api/accounts', { body: { name }, key: adminToken });
 * ```
 */
export function apiClient(
  baseUrl: string | (() => string),
  defaultKey?: string | (() => string),
): ApiCall {
  const valueOf = (value: string | (() => string) | undefined) =>
    typeof value === 'function' ? value() : value;
  return async (method, path, { body, key, headers } = {}) => {
    const bearer = key === undefined ? valueOf(defaultKey) : key;
    const response = await fetch(`${valueOf(baseUrl)}${path}`, {
      method,
      headers: {
        ...(typeof bearer === 'string' ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
    });
    return {
      status: response.status,
      body: parsed(await response.text()),
      headers: response.headers,
    };
  };
}

/** JSON when the text is JSON, else the text itself; `null` for an empty answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the caller names the type
function parsed(text: string): any {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
