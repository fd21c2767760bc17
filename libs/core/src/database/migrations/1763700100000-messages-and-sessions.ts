import { MigrationInterface, QueryRunner } from 'typeorm';

export class MessagesAndSessions1763700100000 implements MigrationInterface {
  name = 'MessagesAndSessions1763700100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sessions (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        id text NOT NULL CHECK (length(id) BETWEEN 1 AND 128),
        message_count integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        PRIMARY KEY (account_id, id)
      )`);
    await queryRunner.query(
      `CREATE INDEX sessions_activity_idx ON sessions (account_id, last_activity_at DESC, id DESC)`,
    );

    // account_id is NULL for system messages (sign-in codes), which belong to no account.
    await queryRunner.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid REFERENCES accounts(id) ON DELETE CASCADE,
        direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
        from_number text,
        to_number text NOT NULL,
        peer text NOT NULL,
        body text NOT NULL,
        encoding text NOT NULL,
        segments integer NOT NULL,
        status text NOT NULL CHECK (status IN ('scheduled', 'queued', 'sending', 'sent', 'delivered',
          'undelivered', 'failed', 'expired', 'canceled', 'received')),
        route_requested text NOT NULL DEFAULT 'auto',
        route text,
        requested_device_id uuid,
        device_id uuid,
        provider_message_id text,
        error_code text,
        error_message text,
        attempts integer NOT NULL DEFAULT 0,
        sensitive boolean NOT NULL DEFAULT false,
        session_id text,
        scheduled_at timestamptz,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sending_at timestamptz,
        sent_at timestamptz,
        delivered_at timestamptz,
        failed_at timestamptz,
        canceled_at timestamptz,
        expired_at timestamptz,
        FOREIGN KEY (account_id, session_id) REFERENCES sessions (account_id, id) ON DELETE SET NULL (session_id)
      )`);
    // One index per list filter; all end in (created_at, id) for keyset pagination.
    await queryRunner.query(
      `CREATE INDEX messages_account_created_idx ON messages (account_id, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX messages_account_status_idx ON messages (account_id, status, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX messages_account_peer_idx ON messages (account_id, peer, created_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX messages_account_session_idx ON messages (account_id, session_id, created_at DESC, id DESC) WHERE session_id IS NOT NULL`,
    );
    // The reconciler scans only the unfinished messages.
    await queryRunner.query(
      `CREATE INDEX messages_unfinished_idx ON messages (status, created_at) WHERE status IN ('scheduled', 'queued', 'sending')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX messages_provider_id_idx ON messages (route, provider_message_id) WHERE provider_message_id IS NOT NULL`,
    );

    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash char(64) NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'done')),
        response_status integer,
        response_body jsonb,
        locked_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, key)
      )`);
    await queryRunner.query(
      `CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`,
    );

    // A sticky sender: which pool number talks to which external phone, for whom. Unique per
    // (phone, pool number) so that a reply is always routed without ambiguity.
    await queryRunner.query(`
      CREATE TABLE number_bindings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        external_phone text NOT NULL,
        pool_number text NOT NULL,
        account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        target_type text NOT NULL CHECK (target_type IN ('conversation', 'group_member')),
        target_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (external_phone, pool_number)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX number_bindings_conversation_idx ON number_bindings (account_id, external_phone) WHERE target_type = 'conversation'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE number_bindings`);
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE messages`);
    await queryRunner.query(`DROP TABLE sessions`);
  }
}
