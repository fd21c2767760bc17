import { MigrationInterface, QueryRunner } from 'typeorm';

export class InboundAndConversations1763700400000 implements MigrationInterface {
  name = 'InboundAndConversations1763700400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Where an inbound message came from, e.g. "twilio:SM…" or "device:<id>:<frame id>": a
    // replayed webhook or frame finds its first copy here and stores nothing new.
    await queryRunner.query(`ALTER TABLE messages ADD COLUMN inbound_key text`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX messages_inbound_key_idx ON messages (inbound_key) WHERE inbound_key IS NOT NULL`,
    );
    // Inbound texts nobody owns (no binding) are kept for the operator, never shown to an account.
    await queryRunner.query(
      `CREATE INDEX messages_unrouted_idx ON messages (created_at) WHERE account_id IS NULL AND direction = 'inbound'`,
    );

    await queryRunner.query(`
      CREATE TABLE opt_outs (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        phone text NOT NULL,
        keyword text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, phone)
      )`);

    await queryRunner.query(`
      CREATE TABLE contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        phone text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, phone)
      )`);
    await queryRunner.query(
      `CREATE INDEX contacts_account_name_idx ON contacts (account_id, name, id)`,
    );

    await queryRunner.query(`
      CREATE TABLE conversation_reads (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        peer text NOT NULL,
        last_read_at timestamptz NOT NULL,
        PRIMARY KEY (account_id, peer)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE conversation_reads`);
    await queryRunner.query(`DROP TABLE contacts`);
    await queryRunner.query(`DROP TABLE opt_outs`);
    await queryRunner.query(`DROP INDEX messages_unrouted_idx`);
    await queryRunner.query(`DROP INDEX messages_inbound_key_idx`);
    await queryRunner.query(`ALTER TABLE messages DROP COLUMN inbound_key`);
  }
}
