import { MigrationInterface, QueryRunner } from 'typeorm';

export class DeviceSimCards1764910000000 implements MigrationInterface {
  name = 'DeviceSimCards1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The SIM cards the phone last reported ([{slotIndex, simNumber, phoneNumber, carrierName}]):
    // a message may name one, and each has its own send-rate window. Empty: the phone never said,
    // and it sends through its default SIM.
    await queryRunner.query(
      `ALTER TABLE devices ADD COLUMN sim_cards jsonb NOT NULL DEFAULT '[]'::jsonb`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE devices DROP COLUMN sim_cards`);
  }
}
