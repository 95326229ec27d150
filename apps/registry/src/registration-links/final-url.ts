import { CLICK_ID_MACRO } from '@tracker/contracts';

export const MAX_BASE_URL_LENGTH = 2048;

/**
 * Why a pasted partner link cannot be used, or null. Only absolute http(s) URLs of printable
 * ASCII: the link ends up in a redirect's Location header, which must not carry anything else.
 */
export function baseUrlProblem(raw: string): string | null {
  if (raw.length > MAX_BASE_URL_LENGTH) {
    return `must be at most ${MAX_BASE_URL_LENGTH} characters`;
  }
  if (!/^https?:\/\/[^/?#]/i.test(raw)) return 'must be an absolute http(s) URL';
  if (/[^\x21-\x7e]/.test(raw)) {
    return 'must not contain spaces, control or non-ASCII characters (percent-encode them)';
  }
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      return 'must be an absolute http(s) URL';
    }
  } catch {
    return 'must be an absolute http(s) URL';
  }
  return null;
}

function decodeParamName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * `baseUrl` with `<param>={{tracker.clickid}}` (SPEC section 4): an existing parameter's value
 * becomes the macro, otherwise it is appended with `?` or `&`; the fragment stays last. Works
 * on the string itself so every other byte stays as given (URL objects would re-encode).
 */
export function buildFinalUrl(baseUrl: string, param: string): string {
  const hashAt = baseUrl.indexOf('#');
  const beforeFragment = hashAt < 0 ? baseUrl : baseUrl.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : baseUrl.slice(hashAt);
  const assignment = `${param}=${CLICK_ID_MACRO}`;
  const queryAt = beforeFragment.indexOf('?');
  if (queryAt < 0) return `${beforeFragment}?${assignment}${fragment}`;

  const head = beforeFragment.slice(0, queryAt + 1);
  const query = beforeFragment.slice(queryAt + 1);
  let found = false;
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    if (decodeParamName(rawName) !== param) return part;
    found = true;
    return `${rawName}=${CLICK_ID_MACRO}`;
  });
  if (found) return `${head}${parts.join('&')}${fragment}`;
  const separator = query === '' || query.endsWith('&') ? '' : '&';
  return `${head}${query}${separator}${assignment}${fragment}`;
}
