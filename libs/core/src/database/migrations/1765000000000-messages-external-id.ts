import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessagesExternalId1765000000000 implements MigrationInterface {
  name = 'MessagesExternalId1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The id a client gave one request to several recipients (the client API of SMS Gateway for
    // Android): every message of the request carries it, and the client asks by it, per account.
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN external_id text`);
    await queryRunner.query(
      `CREATE INDEX messages_account_external_id ON messages (account_id, external_id)
       WHERE external_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_account_external_id`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN external_id`);
  }
}
