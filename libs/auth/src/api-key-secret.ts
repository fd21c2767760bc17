import { createHash, randomBytes } from 'node:crypto';

const KEY_PREFIX = 'sb_';
const VISIBLE_PREFIX_LENGTH = 11;

export interface GeneratedApiKey {
  key: string;
  prefix: string;
  hash: string;
}

/** SHA-256 is enough here (unlike passwords): the key is 256 random bits, not guessable. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, VISIBLE_PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(KEY_PREFIX) && value.length > VISIBLE_PREFIX_LENGTH && value.length < 200;
}
