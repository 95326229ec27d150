import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const LINK_ID_LENGTH = 16;

/** 16 base62 characters (~95 bits), URL-safe and unguessable; rejection sampling avoids bias. */
export function newLinkId(): string {
  let id = '';
  while (id.length < LINK_ID_LENGTH) {
    for (const byte of randomBytes(LINK_ID_LENGTH * 2)) {
      if (byte < 248 && id.length < LINK_ID_LENGTH) id += ALPHABET[byte % 62];
    }
  }
  return id;
}
