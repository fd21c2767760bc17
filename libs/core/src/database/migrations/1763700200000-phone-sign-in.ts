import { MigrationInterface, QueryRunner } from 'typeorm';

export class PhoneSignIn1763700200000 implements MigrationInterface {
  name = 'PhoneSignIn1763700200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // phone stays NULL for server-to-server accounts made by `account:create`; a phone account
    // exists only once its number has been proven with a code, hence phone_verified_at.
    // has_password lets an account be read without ever selecting its password hash.
    await queryRunner.query(`
      ALTER TABLE accounts
        ADD COLUMN phone text UNIQUE,
        ADD COLUMN phone_verified_at timestamptz,
        ADD COLUMN password_hash text,
        ADD COLUMN has_password boolean GENERATED ALWAYS AS (password_hash IS NOT NULL) STORED`);

    // One live code per phone: requesting a new code replaces the row, which is what invalidates
    // the previous code. pending_* hold a registration until its code is verified.
    await queryRunner.query(`
      CREATE TABLE auth_codes (
        phone text PRIMARY KEY,
        code_hash char(64) NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        pending_name text,
        pending_password_hash text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX auth_codes_expires_idx ON auth_codes (expires_at)`);

    // One row per sign-in: the family of refresh tokens that rotate from it. Only the hash of the
    // current token is kept; presenting any other token of the family is reuse.
    await queryRunner.query(`
      CREATE TABLE auth_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        refresh_token_hash char(64) NOT NULL,
        rotations integer NOT NULL DEFAULT 0,
        user_agent text,
        ip text,
        created_at timestamptz NOT NULL,
        last_refreshed_at timestamptz,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoked_reason text CHECK (revoked_reason IN ('logout', 'refresh_token_reused', 'password_changed'))
      )`);
    await queryRunner.query(
      `CREATE INDEX auth_sessions_account_idx ON auth_sessions (account_id) WHERE revoked_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE auth_sessions`);
    await queryRunner.query(`DROP TABLE auth_codes`);
    await queryRunner.query(`
      ALTER TABLE accounts
        DROP COLUMN has_password,
        DROP COLUMN password_hash,
        DROP COLUMN phone_verified_at,
        DROP COLUMN phone`);
  }
}
