import { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyAnswers1763700860000 implements MigrationInterface {
  name = 'IdempotencyAnswers1763700860000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A key is now written by the statement that stores its messages, with their answer: it has
    // no "in progress" state any more. A key left in progress has no answer to replay (its
    // request died or is still running under the previous version): it is forgotten, as the
    // previous version would have after a minute.
    await queryRunner.query(
      `DELETE FROM idempotency_keys WHERE state <> 'done' OR response_status IS NULL OR response_body IS NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        DROP COLUMN state,
        DROP COLUMN locked_at,
        ALTER COLUMN response_status SET NOT NULL,
        ALTER COLUMN response_body SET NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE idempotency_keys
        ADD COLUMN state text NOT NULL DEFAULT 'done' CHECK (state IN ('in_progress', 'done')),
        ADD COLUMN locked_at timestamptz NOT NULL DEFAULT now(),
        ALTER COLUMN response_status DROP NOT NULL,
        ALTER COLUMN response_body DROP NOT NULL`);
  }
}
