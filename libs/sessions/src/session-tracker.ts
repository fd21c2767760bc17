import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictAppException } from '@app/core';
import {
  MessageCreationHook,
  MessageCreationHooks,
  MessageDraft,
  MessageHistory,
} from '@app/messaging';

/**
 * Creates a session with the first message that names it and keeps its activity and count up to
 * date, in the same transaction as the messages (a hook, so messaging never imports sessions).
 */
@Injectable()
export class SessionTracker implements MessageCreationHook, OnModuleInit {
  constructor(
    private readonly hooks: MessageCreationHooks,
    private readonly history: MessageHistory,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  appliesTo(drafts: readonly MessageDraft[]): boolean {
    return drafts.some((draft) => draft.sessionId !== null);
  }

  async beforeInsert(
    manager: EntityManager,
    accountId: string,
    drafts: readonly MessageDraft[],
  ): Promise<void> {
    const counts = new Map<string, number>();
    for (const draft of drafts) {
      if (draft.sessionId) counts.set(draft.sessionId, (counts.get(draft.sessionId) ?? 0) + 1);
    }
    const ids = [...counts.keys()];
    const rows: Array<{ id: string; closed_at: Date | null }> = await manager.query(
      `INSERT INTO sessions (account_id, id, message_count)
       SELECT $1, id, count FROM unnest($2::text[], $3::int[]) AS s(id, count)
       ON CONFLICT (account_id, id) DO UPDATE
         SET message_count = sessions.message_count + EXCLUDED.message_count,
             last_activity_at = now()
       RETURNING id, closed_at`,
      [accountId, ids, ids.map((id) => counts.get(id))],
    );
    const closed = rows.filter((row) => row.closed_at !== null).map((row) => row.id);
    if (closed.length > 0) {
      // Throwing rolls the whole transaction back: no message, no count change.
      throw new ConflictAppException(
        'SESSION_CLOSED',
        `Session ${closed.map((id) => `"${id}"`).join(', ')} is closed; start a new session id.`,
      );
    }
  }

  /** A reply belongs to the most recently active open session that talked with its sender. */
  async beforeInboundInsert(
    manager: EntityManager,
    accountId: string,
    draft: MessageDraft,
  ): Promise<void> {
    const talkedWithPeer = await this.history.sessionsWithPeer(manager, accountId, draft.peer);
    if (talkedWithPeer.length === 0) return;
    // An UPDATE through TypeORM answers [rows, affected count].
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE sessions SET message_count = message_count + 1, last_activity_at = now()
       WHERE (account_id, id) = (
         SELECT s.account_id, s.id FROM sessions s
         WHERE s.account_id = $1 AND s.closed_at IS NULL AND s.id = ANY($2::text[])
         ORDER BY s.last_activity_at DESC, s.id DESC LIMIT 1)
       RETURNING id`,
      [accountId, talkedWithPeer],
    );
    if (rows[0]) draft.sessionId = rows[0].id;
  }
}
