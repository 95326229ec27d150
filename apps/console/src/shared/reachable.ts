/**
 * The host of `url` when only this computer can reach it (`localhost`, `*.localhost`,
 * 127.0.0.0/8, `::1`, `0.0.0.0`), else null. The tracker hands out postback URLs and tracking
 * links on `PUBLIC_BASE_URL` (SPEC sections 4 and 6, default `http://localhost:$PORT`): a
 * partner's server or a visitor's phone cannot call such an address, so the console says so.
 */
export function localOnlyHost(url: string): string | null {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return null;
  }
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return host;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '0.0.0.0') return host;
  if (bare === '::1' || bare === '0:0:0:0:0:0:0:1' || bare === '::') return host;
  return null;
}
