import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtModuleOptions, JwtService } from '@nestjs/jwt';
import { Clock } from '@app/core';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const ACCESS_TOKEN_ISSUER = 'switchboard';
export const ACCESS_TOKEN_AUDIENCE = 'switchboard-api';

/** How access tokens are signed and checked: one algorithm, one issuer, one audience. */
export function accessTokenJwtOptions(secret: string): JwtModuleOptions {
  return {
    secret,
    signOptions: {
      algorithm: 'HS256',
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
    },
    verifyOptions: {
      algorithms: ['HS256'],
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
    },
  };
}

interface AccessTokenClaims {
  sub: string;
  sid: string;
  /** Makes every token distinct, even two issued in the same second for one session. */
  jti: string;
  iat: number;
  exp: number;
}

/** Short-lived JWTs (HS256, AUTH_TOKEN_SECRET) naming the account and the sign-in session. */
@Injectable()
export class AccessTokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly clock: Clock,
  ) {}

  issue(accountId: string, sessionId: string): string {
    // iat and exp from the injected clock rather than jsonwebtoken's own Date.now().
    const issuedAt = this.nowInSeconds();
    const claims: AccessTokenClaims = {
      sub: accountId,
      sid: sessionId,
      jti: randomUUID(),
      iat: issuedAt,
      exp: issuedAt + ACCESS_TOKEN_TTL_SECONDS,
    };
    return this.jwt.sign(claims);
  }

  /** The account, session and expiry of a valid, unexpired token; null for anything else. */
  verify(token: string): { accountId: string; sessionId: string; expiresAt: Date } | null {
    try {
      const claims = this.jwt.verify<AccessTokenClaims>(token, {
        clockTimestamp: this.nowInSeconds(),
      });
      if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') return null;
      return {
        accountId: claims.sub,
        sessionId: claims.sid,
        expiresAt: new Date(claims.exp * 1000),
      };
    } catch {
      return null;
    }
  }

  private nowInSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}
