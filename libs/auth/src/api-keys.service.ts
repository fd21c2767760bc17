import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import {
  AppException,
  ConflictAppException,
  Keyset,
  NotFoundAppException,
  Page,
  PageRequest,
} from '@app/core';
import { Account } from './account.entity';
import { ApiKey } from './api-key.entity';
import { API_KEY_SECRET } from './api-key-secret';
import { AuthSessionsService } from './auth-sessions.service';
import { AuthenticatedAccount } from './authenticated-account';
import { CredentialRevocations } from './credential-revocations';

interface CachedKey {
  apiKeyId: string;
  accountId: string;
  expiresAt: number;
}

// A lookup per request would be a query on the hottest path; a short cache bounds how long a key
// revoked on another API instance keeps working (this instance forgets it at once).
const KEY_CACHE_TTL_MS = 10_000;
// Writing last_used_at on every request would turn reads into writes; a minute is precise enough.
const LAST_USED_RESOLUTION_MS = 60_000;
// Plenty for rotation and per-service keys; a runaway script should not mint keys forever.
export const MAX_API_KEYS_PER_ACCOUNT = 100;
// A key outlives the session that made it and is shown only once: making one takes a proof of
// identity (a code or a password) this recent, not just a token that may have been copied.
export const API_KEY_CREATION_FRESHNESS_MS = 5 * 60_000;

export interface IssuedApiKey {
  apiKey: ApiKey;
  /** The key itself: shown to the caller once, never stored. */
  key: string;
}

const NEWEST_KEYS_FIRST = new Keyset({
  sortKey: 'key.created_at',
  sortKeyType: 'timestamptz',
  id: 'key.id',
  idType: 'uuid',
  direction: 'DESC',
});

@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, CachedKey>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectRepository(ApiKey) private readonly apiKeys: Repository<ApiKey>,
    private readonly sessions: AuthSessionsService,
    private readonly revocations: CredentialRevocations,
  ) {}

  /** `manager` lets a caller issue the key inside its own transaction. */
  async issue(
    accountId: string,
    name: string,
    manager: EntityManager = this.apiKeys.manager,
  ): Promise<IssuedApiKey> {
    const generated = API_KEY_SECRET.generate();
    const apiKey = await manager.save(
      manager.create(ApiKey, {
        accountId,
        name,
        prefix: generated.visiblePrefix,
        keyHash: generated.hash,
      }),
    );
    return { apiKey, key: generated.secret };
  }

  /**
   * The account a key belongs to, or null when the key is unknown or revoked. `fresh` skips this
   * instance's short cache.
   */
  async authenticate(
    key: string,
    options: { fresh?: boolean } = {},
  ): Promise<{ accountId: string; apiKeyId: string } | null> {
    if (!API_KEY_SECRET.looksLike(key)) return null;
    const hash = API_KEY_SECRET.hash(key);
    const now = Date.now();
    const cached = options.fresh ? undefined : this.cache.get(hash);
    if (cached && cached.expiresAt > now) {
      this.touch(cached.apiKeyId, now);
      return { accountId: cached.accountId, apiKeyId: cached.apiKeyId };
    }
    const found = await this.apiKeys.findOne({
      where: { keyHash: hash, revokedAt: IsNull() },
      select: { id: true, accountId: true },
    });
    if (!found) {
      this.cache.delete(hash);
      return null;
    }
    this.cache.set(hash, {
      apiKeyId: found.id,
      accountId: found.accountId,
      expiresAt: now + KEY_CACHE_TTL_MS,
    });
    this.touch(found.id, now);
    return { accountId: found.accountId, apiKeyId: found.id };
  }

  /**
   * A key made by the account's owner through the API, within the per-account cap. Only with a
   * session whose holder signed in (or proved it again) within the last 5 minutes: never with an
   * API key, so that a leaked key cannot mint others that outlive its revocation.
   */
  async create(caller: AuthenticatedAccount, name: string): Promise<IssuedApiKey> {
    const fresh =
      caller.sessionId !== undefined &&
      (await this.sessions.verifiedWithin(caller.sessionId, API_KEY_CREATION_FRESHNESS_MS));
    if (!fresh) {
      throw new AppException(
        HttpStatus.FORBIDDEN,
        'REAUTHENTICATION_REQUIRED',
        'Creating an API key needs a sign-in with a code or a password within the last 5 minutes (an API key cannot create keys). Sign in again, then retry with the new access token.',
      );
    }
    return this.createWithinCap(caller.accountId, name);
  }

  /**
   * A key made by the operator of the server (`npm run api-key:create`), who needs no sign-in:
   * the way an account without a phone gets a second key, e.g. to rotate its first one.
   */
  async createForOperator(accountId: string, name: string): Promise<IssuedApiKey> {
    const exists = await this.apiKeys.manager.exists(Account, { where: { id: accountId } });
    if (!exists) throw new NotFoundAppException('ACCOUNT_NOT_FOUND', 'No such account.');
    return this.createWithinCap(accountId, name);
  }

  private createWithinCap(accountId: string, name: string): Promise<IssuedApiKey> {
    return this.apiKeys.manager.transaction(async (manager) => {
      // Serialises concurrent creations for one account, so the cap holds under races.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`api-keys:${accountId}`]);
      const live = await manager.countBy(ApiKey, { accountId, revokedAt: IsNull() });
      if (live >= MAX_API_KEYS_PER_ACCOUNT) {
        throw new ConflictAppException(
          'API_KEY_LIMIT_REACHED',
          `An account can have at most ${MAX_API_KEYS_PER_ACCOUNT} API keys; delete one first.`,
        );
      }
      return this.issue(accountId, name.trim(), manager);
    });
  }

  /** The account's live keys, newest first. */
  async listPage(accountId: string, query: PageRequest): Promise<Page<ApiKey>> {
    return NEWEST_KEYS_FIRST.pageOf(
      this.apiKeys
        .createQueryBuilder('key')
        .where('key.account_id = :accountId AND key.revoked_at IS NULL', { accountId }),
      query,
    );
  }

  listForAccount(accountId: string): Promise<ApiKey[]> {
    return this.apiKeys.find({
      where: { accountId, revokedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  async revoke(accountId: string, apiKeyId: string): Promise<void> {
    const result = await this.apiKeys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :apiKeyId AND account_id = :accountId AND revoked_at IS NULL', {
        apiKeyId,
        accountId,
      })
      .returning(['keyHash'])
      .execute();
    if (!result.affected) throw new NotFoundAppException('API_KEY_NOT_FOUND', 'No such API key.');
    for (const row of result.raw as { key_hash: string }[]) this.cache.delete(row.key_hash);
    await this.revocations.apiKeyRevoked(accountId, apiKeyId);
  }

  private touch(apiKeyId: string, now: number): void {
    const last = this.lastUsedWritten.get(apiKeyId) ?? 0;
    if (now - last < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(apiKeyId, now);
    // Fire and forget: the caller's request must not wait for, or fail on, this bookkeeping.
    void this.apiKeys
      .update({ id: apiKeyId }, { lastUsedAt: new Date(now) })
      .catch(() => undefined);
  }
}
