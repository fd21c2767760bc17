import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AuthSessionsService } from '@app/auth';
import { createAccount } from './helpers/account.factory';
import { createTestApp } from './helpers/test-app';

describe('purging ended sign-in sessions', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('forgets sessions revoked or expired over a week ago, and refresh tokens retired over 30 days ago', async () => {
    const { account } = await createAccount(app);
    const db = app.get(DataSource);
    const insert = (expiresAt: string, revokedAt: string | null) =>
      db.query(
        `INSERT INTO auth_sessions (account_id, refresh_token_hash, created_at, last_verified_at, expires_at, revoked_at)
         VALUES ($1, repeat('0', 64), now() - interval '40 days', now() - interval '40 days', now() + $2::interval, now() + $3::interval)
         RETURNING id`,
        [account.id, expiresAt, revokedAt],
      );
    const [[live], [recentlyRevoked], [longRevoked], [longExpired]] = await Promise.all([
      insert('20 days', null),
      insert('20 days', '-1 day'),
      insert('20 days', '-8 days'),
      insert('-8 days', null),
    ]);

    // Refresh tokens the live session rotated away: one long ago (it would have expired by now
    // anyway), one yesterday.
    await db.query(
      `INSERT INTO auth_retired_refresh_tokens (session_id, token_hash, retired_at)
       VALUES ($1, repeat('1', 64), now() - interval '31 days'), ($1, repeat('2', 64), now() - interval '1 day')`,
      [live.id],
    );

    expect(await app.get(AuthSessionsService).purgeEnded()).toBeGreaterThanOrEqual(2);

    const retired: Array<{ token_hash: string }> = await db.query(
      'SELECT token_hash FROM auth_retired_refresh_tokens WHERE session_id = $1',
      [live.id],
    );
    expect(retired).toEqual([{ token_hash: '2'.repeat(64) }]);

    const left: Array<{ id: string }> = await db.query(
      'SELECT id FROM auth_sessions WHERE account_id = $1 ORDER BY id',
      [account.id],
    );
    expect(left.map((row) => row.id).sort()).toEqual([live.id, recentlyRevoked.id].sort());
    expect(left.map((row) => row.id)).not.toContain(longRevoked.id);
    expect(left.map((row) => row.id)).not.toContain(longExpired.id);
  });
});
