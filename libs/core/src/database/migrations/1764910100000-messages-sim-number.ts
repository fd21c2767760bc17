import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessagesSimNumber1764910100000 implements MigrationInterface {
  name = 'MessagesSimNumber1764910100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // requested_sim_number: the SIM the client asked for (1-based, as Android numbers them);
    // sim_number: the SIM the phone was told to send it from. Kept apart, like requested_device_id
    // and device_id, so that a re-route of a message that named no SIM may use any.
    await queryRunner.query(`
      ALTER TABLE messages
        ADD COLUMN requested_sim_number smallint CHECK (requested_sim_number >= 1),
        ADD COLUMN sim_number smallint CHECK (sim_number >= 1)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE messages DROP COLUMN sim_number, DROP COLUMN requested_sim_number`);
  }
}
