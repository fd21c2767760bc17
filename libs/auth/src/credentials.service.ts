import { Injectable } from '@nestjs/common';
import { AccessTokensService } from './access-tokens.service';
import { API_KEY_SECRET } from './api-key-secret';
import { ApiKeysService } from './api-keys.service';
import { AuthSessionsService } from './auth-sessions.service';
import { AuthenticatedAccount } from './authenticated-account';

/**
 * Turns a presented credential (an API key or an access token) into the caller, for HTTP (the
 * guard) and WebSocket (`/ws/events`) alike. Null for anything not valid right now.
 */
@Injectable()
export class CredentialsService {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly accessTokens: AccessTokensService,
    private readonly sessions: AuthSessionsService,
  ) {}

  /**
   * `asApiKey`: it came in X-API-Key, so it cannot be a token. `fresh`: ask the database even when
   * this instance checked the credential a moment ago (its short caches do not see a revocation
   * made on another instance).
   */
  async authenticate(
    credential: string,
    asApiKey = false,
    options: { fresh?: boolean } = {},
  ): Promise<AuthenticatedAccount | null> {
    return asApiKey || API_KEY_SECRET.looksLike(credential)
      ? this.byApiKey(credential, options.fresh ?? false)
      : this.byAccessToken(credential, options.fresh ?? false);
  }

  private async byApiKey(key: string, fresh: boolean): Promise<AuthenticatedAccount | null> {
    const found = await this.apiKeys.authenticate(key, { fresh });
    return found && { accountId: found.accountId, apiKeyId: found.apiKeyId, via: 'api-key' };
  }

  /** Expired and revoked tokens get the same answer as forged ones: sign in (or refresh) again. */
  private async byAccessToken(token: string, fresh: boolean): Promise<AuthenticatedAccount | null> {
    const claims = this.accessTokens.verify(token);
    if (!claims || !(await this.sessions.isActive(claims.sessionId, claims.accountId, { fresh }))) {
      return null;
    }
    return {
      accountId: claims.accountId,
      sessionId: claims.sessionId,
      expiresAt: claims.expiresAt,
      via: 'access-token',
    };
  }
}
