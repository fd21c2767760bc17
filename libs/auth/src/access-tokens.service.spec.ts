import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { Clock } from '@app/core';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_TTL_SECONDS,
  AccessTokensService,
  accessTokenJwtOptions,
} from './access-tokens.service';

class SettableClock extends Clock {
  current = new Date('2026-11-21T10:00:00.000Z');
  override now(): Date {
    return new Date(this.current);
  }
}

function jwtWith(secret: string): JwtService {
  return new JwtService(accessTokenJwtOptions(secret));
}

describe('AccessTokensService', () => {
  const secret = 'a-test-secret-of-at-least-32-characters!';
  const clock = new SettableClock();
  const tokens = new AccessTokensService(jwtWith(secret), clock);
  const accountId = randomUUID();
  const sessionId = randomUUID();

  beforeEach(() => {
    clock.current = new Date('2026-11-21T10:00:00.000Z');
  });

  it('names the account and the session, for 15 minutes of the injected clock', () => {
    const token = tokens.issue(accountId, sessionId);
    const expiresAt = new Date(
      (Math.floor(clock.current.getTime() / 1000) + ACCESS_TOKEN_TTL_SECONDS) * 1000,
    );
    expect(tokens.verify(token)).toEqual({ accountId, sessionId, expiresAt });
    clock.current = new Date(clock.current.getTime() + (ACCESS_TOKEN_TTL_SECONDS - 1) * 1000);
    expect(tokens.verify(token)).toEqual({ accountId, sessionId, expiresAt });
    clock.current = new Date(clock.current.getTime() + 1000);
    expect(tokens.verify(token)).toBeNull();
  });

  it('refuses a token signed with another secret, or altered', () => {
    const foreign = new AccessTokensService(jwtWith(`${secret}-other`), clock).issue(
      accountId,
      sessionId,
    );
    expect(tokens.verify(foreign)).toBeNull();
    const [header, , signature] = tokens.issue(accountId, sessionId).split('.');
    const forgedClaims = Buffer.from(
      JSON.stringify({ sub: randomUUID(), sid: sessionId, iat: 1, exp: 9_999_999_999 }),
    ).toString('base64url');
    expect(tokens.verify(`${header}.${forgedClaims}.${signature}`)).toBeNull();
  });

  it('refuses an unsigned ("alg": "none") token', () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({
        sub: accountId,
        sid: sessionId,
        iss: ACCESS_TOKEN_ISSUER,
        aud: ACCESS_TOKEN_AUDIENCE,
        exp: 9_999_999_999,
      }),
    ).toString('base64url');
    expect(tokens.verify(`${header}.${claims}.`)).toBeNull();
  });
});
