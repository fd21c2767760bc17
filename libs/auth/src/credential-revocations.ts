import { Injectable, Optional } from '@nestjs/common';
import { EventBus } from '@app/core';

/** Published on the account's channel when sessions end; never forwarded to clients. */
export const SESSIONS_REVOKED_EVENT = 'auth.sessions_revoked';
/** Published on the account's channel when an API key is revoked; never forwarded to clients. */
export const API_KEY_REVOKED_EVENT = 'auth.api_key_revoked';

export interface SessionsRevoked {
  sessionIds: string[];
}

export interface ApiKeyRevoked {
  apiKeyId: string;
}

/**
 * Tells every API instance that credentials stopped working, so that what they keep open with
 * them (an `/ws/events` socket) closes at once rather than at its next check. Without Redis (the
 * `account:create` CLI, which revokes nothing) there is no one to tell.
 */
@Injectable()
export class CredentialRevocations {
  constructor(@Optional() private readonly bus?: EventBus) {}

  async sessionsRevoked(accountId: string, sessionIds: string[]): Promise<void> {
    if (!this.bus || sessionIds.length === 0) return;
    const data: SessionsRevoked = { sessionIds };
    await this.bus.publish({ type: SESSIONS_REVOKED_EVENT, accountId, data });
  }

  async apiKeyRevoked(accountId: string, apiKeyId: string): Promise<void> {
    if (!this.bus) return;
    const data: ApiKeyRevoked = { apiKeyId };
    await this.bus.publish({ type: API_KEY_REVOKED_EVENT, accountId, data });
  }
}
