import { randomUUID } from 'node:crypto';
import {
  generateRefreshToken,
  hashRefreshToken,
  refreshTokenMatches,
  sessionIdOfRefreshToken,
} from './refresh-token';

describe('refresh tokens', () => {
  const sessionId = randomUUID();

  it('name their session and carry 256 random bits', () => {
    const first = generateRefreshToken(sessionId);
    const second = generateRefreshToken(sessionId);
    expect(first.token).toMatch(new RegExp(`^sbr_${sessionId}\\.[A-Za-z0-9_-]{43}$`));
    expect(second.token).not.toBe(first.token);
    expect(sessionIdOfRefreshToken(first.token)).toBe(sessionId);
  });

  it('are stored as a SHA-256 hash, never as themselves', () => {
    const { token, hash } = generateRefreshToken(sessionId);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(hashRefreshToken(token));
    expect(refreshTokenMatches(token, hash)).toBe(true);
    expect(refreshTokenMatches(generateRefreshToken(sessionId).token, hash)).toBe(false);
  });

  it.each([
    ['an API key', 'sb_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'],
    ['a truncated token', `sbr_${randomUUID()}.abc`],
    ['an upper-case session id', `sbr_${randomUUID().toUpperCase()}.${'a'.repeat(43)}`],
    ['trailing garbage', `${generateRefreshToken(randomUUID()).token}x`],
    ['nothing', ''],
  ])('refuses %s', (_label, token) => {
    expect(sessionIdOfRefreshToken(token)).toBeNull();
  });
});
