import { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionVerificationAndRetiredTokens1763700650000 implements MigrationInterface {
  name = 'SessionVerificationAndRetiredTokens1763700650000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // When the session's holder last proved who they are (a code or a password): its sign-in,
    // or a later proof. Sensitive actions (creating an API key) need a recent one.
    await queryRunner.query(`ALTER TABLE auth_sessions ADD COLUMN last_verified_at timestamptz`);
    await queryRunner.query(`UPDATE auth_sessions SET last_verified_at = created_at`);
    await queryRunner.query(`ALTER TABLE auth_sessions ALTER COLUMN last_verified_at SET NOT NULL`);

    // Hashes of the refresh tokens a session rotated away: one coming back was really issued, so
    // it was copied (the session is revoked); any other string is merely invalid.
    await queryRunner.query(`
      CREATE TABLE auth_retired_refresh_tokens (
        session_id uuid NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        retired_at timestamptz NOT NULL,
        PRIMARY KEY (session_id, token_hash)
      )`);
    await queryRunner.query(
      `CREATE INDEX auth_retired_refresh_tokens_retired_idx ON auth_retired_refresh_tokens (retired_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_retired_refresh_tokens`);
    await queryRunner.query(`ALTER TABLE auth_sessions DROP COLUMN last_verified_at`);
  }
}
