import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeviceWebhookSigningKeys1765000100000 implements MigrationInterface {
  name = 'DeviceWebhookSigningKeys1765000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The key a phone running SMS Gateway for Android signs its webhooks with (given to it by
    // GET /api/mobile/v1/settings), encrypted with WEBHOOK_SECRET_KEY: it must be readable to
    // check a signature, so it cannot be hashed. NULL until the phone first asks for it.
    // network: how the phone last said it was connected (wifi, ethernet, cellular, none).
    await queryRunner.query(
      `ALTER TABLE devices ADD COLUMN webhook_signing_key text, ADD COLUMN network text`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE devices DROP COLUMN network, DROP COLUMN webhook_signing_key`,
    );
  }
}
