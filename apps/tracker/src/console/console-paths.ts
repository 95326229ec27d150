/**
 * The console's client-side routes (apps/console/src/app/routes.tsx): each answers index.html
 * so a reload or a shared link opens the page. Listed one by one, never a catch-all, so the
 * console can never shadow /api, /r, /health, /metrics or /docs (SPEC section 4, Console).
 */
export const CONSOLE_PATHS = [
  '/',
  '/sign-in',
  '/admin',
  '/integrations',
  '/integrations/:id',
  '/links',
  '/test-registration',
  '/logs',
  '/conversions',
  '/destinations',
  '/deliveries',
  '/funnel',
  '/clicks',
  '/clicks/:clickId',
  '/settings',
] as const;

/** Paths the API and operations own; the console never answers them. */
export const RESERVED_PREFIXES = ['/api', '/r', '/health', '/metrics', '/docs'] as const;

/**
 * Whether a request path (query string ignored) belongs to the API or operations: the prefix
 * itself or anything below it (`/docs-json` too, the OpenAPI document beside `/docs`). Such a
 * path keeps its JSON 404; any other unknown path gets the console's not-found page.
 */
export function isReservedPath(url: string): boolean {
  const at = url.search(/[?#]/);
  const path = at < 0 ? url : url.slice(0, at);
  return (
    path === '/docs-json' ||
    RESERVED_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))
  );
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only, no inline script,
 * no eval, API calls to the same origin, no framing. `style-src` allows no inline `<style>` either;
 * the chart sets sizes through the CSSOM, which CSP does not restrict.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers on every console response (index and assets). */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
