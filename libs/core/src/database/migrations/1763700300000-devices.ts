import { MigrationInterface, QueryRunner } from 'typeorm';

export class Devices1763700300000 implements MigrationInterface {
  name = 'Devices1763700300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // An Android phone of an account (docs/device-protocol.md). Only the SHA-256 of its token is kept. A deleted
    // device keeps its row (deleted_at) so that the messages it carried still name it; its token
    // stops working at once. send_rate_per_minute NULL means the server default. The model,
    // versions, phone number and last status are what the phone last told us, for when it is
    // offline; while it is online the live values come from Redis.
    await queryRunner.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_prefix text NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        enabled boolean NOT NULL DEFAULT true,
        send_rate_per_minute integer CHECK (send_rate_per_minute BETWEEN 1 AND 60000),
        model text,
        android_version text,
        app_version text,
        phone_number text,
        battery integer,
        charging boolean,
        signal integer,
        last_seen_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX devices_account_idx ON devices (account_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`,
    );

    // No device existed before this migration, so any id stored so far names nothing.
    await queryRunner.query(
      `UPDATE messages SET requested_device_id = NULL WHERE requested_device_id IS NOT NULL`,
    );
    await queryRunner.query(`UPDATE messages SET device_id = NULL WHERE device_id IS NOT NULL`);
    await queryRunner.query(`
      ALTER TABLE messages
        ADD CONSTRAINT messages_device_fk FOREIGN KEY (device_id)
          REFERENCES devices(id) ON DELETE SET NULL,
        ADD CONSTRAINT messages_requested_device_fk FOREIGN KEY (requested_device_id)
          REFERENCES devices(id) ON DELETE SET NULL`);
    // GET /messages?deviceId= and the devices' history.
    await queryRunner.query(
      `CREATE INDEX messages_account_device_idx ON messages (account_id, device_id, created_at DESC, id DESC) WHERE device_id IS NOT NULL`,
    );
    // ON DELETE SET NULL looks the referencing rows up; without an index it scans every message.
    await queryRunner.query(
      `CREATE INDEX messages_requested_device_idx ON messages (requested_device_id) WHERE requested_device_id IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messages_requested_device_idx`);
    await queryRunner.query(`DROP INDEX messages_account_device_idx`);
    await queryRunner.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_requested_device_fk,
        DROP CONSTRAINT messages_device_fk`);
    await queryRunner.query(`DROP TABLE devices`);
  }
}
