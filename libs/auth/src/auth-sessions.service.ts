import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { Clock } from '@app/core';
import { ACCESS_TOKEN_TTL_SECONDS, AccessTokensService } from './access-tokens.service';
import { AuthSession, SessionRevocationReason } from './auth-session.entity';
import { authErrors } from './auth-errors';
import { CredentialRevocations } from './credential-revocations';
import {
  generateRefreshToken,
  hashRefreshToken,
  refreshTokenMatches,
  sessionIdOfRefreshToken,
} from './refresh-token';

/** A refresh token unused this long stops working; every rotation starts the period again. */
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 60 * 60_000;

// The guard asks whether a session is still live on every request made with an access token; a
// short cache bounds how long a session revoked on another API instance keeps working (this
// instance forgets it at once).
const ACTIVE_CACHE_TTL_MS = 10_000;
const ACTIVE_CACHE_MAX_ENTRIES = 50_000;

/** Where a sign-in came from, kept with its session for the account owner's benefit. */
export interface ClientContext {
  ip?: string;
  userAgent?: string;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token is valid for. */
  expiresIn: number;
  sessionId: string;
  accountId: string;
}

type TokenCheck =
  | { outcome: 'current'; session: AuthSession }
  | { outcome: 'unknown' | 'revoked' }
  | { outcome: 'reused'; session: AuthSession };

@Injectable()
export class AuthSessionsService {
  private readonly activeUntil = new Map<string, { until: number; accountId: string }>();

  constructor(
    @InjectRepository(AuthSession) private readonly sessions: Repository<AuthSession>,
    private readonly accessTokens: AccessTokensService,
    private readonly revocations: CredentialRevocations,
    private readonly clock: Clock,
  ) {}

  /** A new sign-in. `manager` lets the caller start it inside its own transaction. */
  async start(
    accountId: string,
    client: ClientContext,
    manager: EntityManager = this.sessions.manager,
  ): Promise<IssuedTokens> {
    const now = this.clock.now();
    // The id is chosen here because the refresh token carries it.
    const id = randomUUID();
    const refresh = generateRefreshToken(id);
    await manager.insert(AuthSession, {
      id,
      accountId,
      refreshTokenHash: refresh.hash,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      ip: client.ip ?? null,
      createdAt: now,
      lastVerifiedAt: now,
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
    });
    return this.tokensFor(accountId, id, refresh.token);
  }

  /**
   * Swaps a refresh token for a new pair. A token that was already swapped is a sign that it was
   * copied: the whole session is revoked, for the thief and the owner alike (OAuth 2.0 Security
   * BCP, refresh token rotation).
   */
  async rotate(refreshToken: string): Promise<IssuedTokens> {
    const now = this.clock.now();
    const result = await this.sessions.manager.transaction(async (manager) => {
      const check = await this.checkRefreshToken(refreshToken, manager);
      if (check.outcome !== 'current') return check;
      const { session } = check;
      if (session.expiresAt.getTime() <= now.getTime()) return { outcome: 'expired' as const };
      const next = generateRefreshToken(session.id);
      await manager.query(
        `INSERT INTO auth_retired_refresh_tokens (session_id, token_hash, retired_at)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [session.id, session.refreshTokenHash, now],
      );
      await manager.update(
        AuthSession,
        { id: session.id },
        {
          refreshTokenHash: next.hash,
          rotations: () => 'rotations + 1',
          lastRefreshedAt: now,
          expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
        },
      );
      return { outcome: 'rotated' as const, session, refreshToken: next.token };
    });
    if (result.outcome === 'rotated') {
      return this.tokensFor(result.session.accountId, result.session.id, result.refreshToken);
    }
    if (result.outcome === 'reused') {
      await this.revocations.sessionsRevoked(result.session.accountId, [result.session.id]);
      throw authErrors.refreshTokenReused();
    }
    throw authErrors.invalidRefreshToken();
  }

  /** Logout: ends the session of a refresh token. Ending an already ended session is fine. */
  async end(refreshToken: string): Promise<void> {
    const check = await this.sessions.manager.transaction(async (manager) => {
      const found = await this.checkRefreshToken(refreshToken, manager);
      if (found.outcome === 'current') await this.revoke(manager, found.session.id, 'logout');
      return found;
    });
    if (check.outcome === 'current' || check.outcome === 'reused') {
      await this.revocations.sessionsRevoked(check.session.accountId, [check.session.id]);
    }
    if (check.outcome === 'unknown') throw authErrors.invalidRefreshToken();
    if (check.outcome === 'reused') throw authErrors.refreshTokenReused();
  }

  /** Ends every live session of an account but `keepSessionId` (e.g. after a password change). */
  async endOthers(
    accountId: string,
    keepSessionId: string | undefined,
    reason: SessionRevocationReason,
  ): Promise<number> {
    const query = this.sessions
      .createQueryBuilder()
      .update()
      .set({ revokedAt: this.clock.now(), revokedReason: reason })
      .where('account_id = :accountId AND revoked_at IS NULL', { accountId });
    if (keepSessionId) query.andWhere('id <> :keepSessionId', { keepSessionId });
    const result = await query.returning(['id']).execute();
    const ended = (result.raw as { id: string }[]).map((row) => row.id);
    for (const id of ended) this.activeUntil.delete(id);
    await this.revocations.sessionsRevoked(accountId, ended);
    return ended.length;
  }

  /** Records a fresh proof of identity (a right code or password) by the holder of a session. */
  async markVerified(sessionId: string): Promise<void> {
    await this.sessions.update({ id: sessionId }, { lastVerifiedAt: this.clock.now() });
  }

  /** Whether the holder of this session proved who they are (code or password) within `withinMs`. */
  async verifiedWithin(sessionId: string, withinMs: number): Promise<boolean> {
    const session = await this.sessions.findOne({
      where: { id: sessionId, revokedAt: IsNull() },
      select: { id: true, lastVerifiedAt: true },
    });
    if (!session) return false;
    return this.clock.now().getTime() - session.lastVerifiedAt.getTime() <= withinMs;
  }

  /**
   * Housekeeping (the worker runs it hourly): forgets sessions that ended a week ago, and refresh
   * tokens retired longer ago than a refresh token lives (each would have expired by now anyway).
   * A token of a forgotten session, or a forgotten retired token, is simply invalid; the week
   * keeps recent reuse reported as reuse.
   */
  async purgeEnded(): Promise<number> {
    const [, count] = await this.sessions.query(
      `DELETE FROM auth_sessions
       WHERE revoked_at < now() - interval '7 days' OR expires_at < now() - interval '7 days'`,
    );
    await this.sessions.query(
      `DELETE FROM auth_retired_refresh_tokens WHERE retired_at < now() - $1 * interval '1 millisecond'`,
      [REFRESH_TOKEN_TTL_MS],
    );
    return count as number;
  }

  /**
   * Whether access tokens of this session still count for this account: the session is live and
   * is the account's own (a token naming one account and another's session is refused, whoever
   * signed it).
   */
  async isActive(
    sessionId: string,
    accountId: string,
    options: { fresh?: boolean } = {},
  ): Promise<boolean> {
    const now = Date.now();
    const cached = options.fresh ? undefined : this.activeUntil.get(sessionId);
    if (cached && cached.until > now) return cached.accountId === accountId;
    const live = await this.sessions.exists({
      where: { id: sessionId, accountId, revokedAt: IsNull() },
    });
    if (!live) {
      this.activeUntil.delete(sessionId);
      return false;
    }
    if (this.activeUntil.size >= ACTIVE_CACHE_MAX_ENTRIES) this.activeUntil.clear();
    this.activeUntil.set(sessionId, { until: now + ACTIVE_CACHE_TTL_MS, accountId });
    return true;
  }

  /**
   * Finds the session a refresh token names, locked for the caller's transaction. A token that
   * this live session issued and rotated away is reused: the session is revoked on the spot. Any
   * other string that merely names the session (its id is no secret) is unknown, and harmless.
   */
  private async checkRefreshToken(token: string, manager: EntityManager): Promise<TokenCheck> {
    const sessionId = sessionIdOfRefreshToken(token);
    if (!sessionId) return { outcome: 'unknown' };
    const session = await manager.findOne(AuthSession, {
      where: { id: sessionId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!session) return { outcome: 'unknown' };
    if (session.revokedAt) return { outcome: 'revoked' };
    if (!refreshTokenMatches(token, session.refreshTokenHash)) {
      const retired = await manager.query(
        `SELECT 1 FROM auth_retired_refresh_tokens WHERE session_id = $1 AND token_hash = $2`,
        [session.id, hashRefreshToken(token)],
      );
      if (retired.length === 0) return { outcome: 'unknown' };
      await this.revoke(manager, session.id, 'refresh_token_reused');
      return { outcome: 'reused', session };
    }
    return { outcome: 'current', session };
  }

  private async revoke(
    manager: EntityManager,
    sessionId: string,
    reason: SessionRevocationReason,
  ): Promise<void> {
    await manager.update(
      AuthSession,
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: this.clock.now(), revokedReason: reason },
    );
    this.activeUntil.delete(sessionId);
  }

  private tokensFor(accountId: string, sessionId: string, refreshToken: string): IssuedTokens {
    return {
      accessToken: this.accessTokens.issue(accountId, sessionId),
      refreshToken,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      sessionId,
      accountId,
    };
  }
}
