import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessagesSenderFromBinding1763700810000 implements MigrationInterface {
  name = 'MessagesSenderFromBinding1763700810000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An automatic message (a group relay, a welcome, a help answer) is sent from a number the
    // account already holds a binding for; it must never create one. Everything else binds its
    // sender to the account's conversation when it is dispatched.
    await queryRunner.query(
      `ALTER TABLE messages ADD COLUMN sender_from_binding boolean NOT NULL DEFAULT false`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN sender_from_binding`);
  }
}
