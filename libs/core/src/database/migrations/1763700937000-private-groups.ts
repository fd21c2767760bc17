import { MigrationInterface, QueryRunner } from 'typeorm';

export class PrivateGroups1763700937000 implements MigrationInterface {
  name = 'PrivateGroups1763700937000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A private group is joined with its invite code, which its members read and rotate; the
    // code is kept as is (not hashed) so that members can see it. A public group has none.
    await queryRunner.query(`
      ALTER TABLE groups
        ADD COLUMN visibility text NOT NULL DEFAULT 'public'
          CHECK (visibility IN ('public', 'private')),
        ADD COLUMN invite_code text,
        ADD CONSTRAINT groups_invite_code_of_private_groups
          CHECK ((visibility = 'private') = (invite_code IS NOT NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE groups
        DROP CONSTRAINT groups_invite_code_of_private_groups,
        DROP COLUMN invite_code,
        DROP COLUMN visibility`);
  }
}
