import { MigrationInterface, QueryRunner } from 'typeorm';

export class Groups1763700500000 implements MigrationInterface {
  name = 'Groups1763700500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Names are stored lower-case, so the unique constraint is case-insensitive uniqueness.
    await queryRunner.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9._-]{3,32}$'),
        created_by uuid REFERENCES accounts(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX groups_name_pattern_idx ON groups (name text_pattern_ops)`,
    );

    // One row per (group, member). The member's pool number lives in its number binding
    // (target_type 'group_member', target_id = this id), whose unique (phone, pool number) keeps
    // one number from serving two groups of the same person.
    await queryRunner.query(`
      CREATE TABLE group_members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        group_id uuid NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        joined_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (group_id, account_id)
      )`);
    await queryRunner.query(`CREATE INDEX group_members_account_idx ON group_members (account_id)`);

    await queryRunner.query(
      `ALTER TABLE messages ADD COLUMN group_id uuid REFERENCES groups(id) ON DELETE SET NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX messages_group_idx ON messages (group_id, created_at DESC, id DESC) WHERE group_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_group_idx`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN group_id`);
    await queryRunner.query(`DROP TABLE group_members`);
    await queryRunner.query(`DROP TABLE groups`);
  }
}
