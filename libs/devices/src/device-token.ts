import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PREFIX = 'sbd_';
const VISIBLE_PREFIX_LENGTH = 12;

export interface GeneratedDeviceToken {
  token: string;
  prefix: string;
  hash: string;
}

/** SHA-256 is enough (unlike passwords): the token is 256 random bits, not guessable. */
export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateDeviceToken(): GeneratedDeviceToken {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, prefix: token.slice(0, VISIBLE_PREFIX_LENGTH), hash: hashDeviceToken(token) };
}

/** Cheap shape check before any lookup: garbage never reaches the database. */
export function looksLikeDeviceToken(value: string): boolean {
  return (
    value.startsWith(TOKEN_PREFIX) && value.length > VISIBLE_PREFIX_LENGTH && value.length < 200
  );
}
