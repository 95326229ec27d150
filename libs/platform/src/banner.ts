import { Infrastructure } from './infrastructure';

/**
 * The lines a person at a terminal sees once the tracker serves (SPEC section 6): where the
 * console and the docs are, and the admin token when it was generated (a token given by env is
 * never printed).
 */
export function startBanner(
  publicBaseUrl: string,
  adminToken: string,
  origin: Infrastructure['adminToken'],
): string {
  const token =
    origin.source === 'env'
      ? '(from TRACKER_ADMIN_TOKEN)'
      : `${adminToken}  (kept in ${origin.file})`;
  return [
    '',
    '  Postback tracker is running',
    `  Console      ${publicBaseUrl}/`,
    `  API docs     ${publicBaseUrl}/docs`,
    `  Admin token  ${token}`,
    '  Stop with Ctrl-C',
    '',
    '',
  ].join('\n');
}
