import { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountSendLimits1764900000000 implements MigrationInterface {
  name = 'AccountSendLimits1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // origin decides an account's default send limits: an operator's account (account:create) or
    // one anybody with a phone made by signing up. The column default is the cautious one, so an
    // account created by a path that forgets to say is limited, not unlimited. Accounts so far
    // with a phone came from sign-up; those without one from account:create.
    // send_limits_set_at: the operator set this account's own limits (account:limits), and the
    // two columns hold them (null = unlimited); while it is null the defaults of origin apply.
    await queryRunner.query(`
      ALTER TABLE accounts
        ADD COLUMN origin text NOT NULL DEFAULT 'sign_up' CHECK (origin IN ('operator', 'sign_up')),
        ADD COLUMN send_limit_per_minute integer CHECK (send_limit_per_minute >= 0),
        ADD COLUMN send_limit_per_day integer CHECK (send_limit_per_day >= 0),
        ADD COLUMN send_limits_set_at timestamptz`);
    await queryRunner.query(`UPDATE accounts SET origin = 'operator' WHERE phone IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE accounts
        DROP COLUMN send_limits_set_at,
        DROP COLUMN send_limit_per_day,
        DROP COLUMN send_limit_per_minute,
        DROP COLUMN origin`);
  }
}
