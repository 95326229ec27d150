import { randomBytes } from 'node:crypto';
import { hashApiKey } from '@tracker/directory';

export const API_KEY_PREFIX = 'trk_';
/** Enough of the key to tell keys apart in a list, far too little to guess the rest (4 + 8 chars). */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface NewApiKey {
  /** Shown once to the caller, never stored. */
  secret: string;
  hash: string;
  prefix: string;
}

/** `trk_` + 32 random bytes in base64url (256 bits): only the SHA-256 is kept. */
export function generateApiKey(): NewApiKey {
  const secret = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashApiKey(secret), prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH) };
}
