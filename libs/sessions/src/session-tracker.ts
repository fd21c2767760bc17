import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictAppException } from '@app/core';
import { MessageCreationHook, MessageCreationHooks, MessageDraft } from '@app/messaging';

/**
 * Creates a session with the first message that names it and keeps its activity and count up to
 * date, in the same transaction as the messages (a hook, so messaging never imports sessions).
 */
@Injectable()
export class SessionTracker implements MessageCreationHook, OnModuleInit {
  constructor(private readonly hooks: MessageCreationHooks) {}

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
}
