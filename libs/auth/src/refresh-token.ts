import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sbr_';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// 32 random bytes in base64url are 43 characters.
const REFRESH_TOKEN_PATTERN = new RegExp(`^${PREFIX}(${UUID})\\.[A-Za-z0-9_-]{43}$`);

export interface GeneratedRefreshToken {
  token: string;
  hash: string;
}

/**
 * `sbr_<session id>.<256 random bits>`: opaque to clients. The session id lets the server find the
 * family of a token it no longer holds the hash of, which is how a reused token is recognised.
 */
export function generateRefreshToken(sessionId: string): GeneratedRefreshToken {
  const token = `${PREFIX}${sessionId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashRefreshToken(token) };
}

/** The session a well-formed refresh token claims to belong to, or null for anything else. */
export function sessionIdOfRefreshToken(token: string): string | null {
  return REFRESH_TOKEN_PATTERN.exec(token)?.[1] ?? null;
}

/** SHA-256 is enough (unlike passwords): the token carries 256 random bits. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function refreshTokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashRefreshToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
