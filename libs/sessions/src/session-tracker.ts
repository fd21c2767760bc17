import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConflictAppException } from '@app/core';
import {
  MessageCreationHook,
  MessageCreationHooks,
  MessageDraft,
  MessageHistory,
} from '@app/messaging';
import { SessionRepository } from './session.repository';

/**
 * Creates a session with the first message that names it and keeps its activity and count up to
 * date, in the same transaction as the messages (a hook, so messaging never imports sessions).
 */
@Injectable()
export class SessionTracker implements MessageCreationHook, OnModuleInit {
  constructor(
    private readonly hooks: MessageCreationHooks,
    private readonly history: MessageHistory,
    private readonly sessions: SessionRepository,
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
    const closed = await this.sessions.recordMessages(manager, accountId, counts);
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
    const latest = await this.sessions.recordInLatestOpen(manager, accountId, talkedWithPeer);
    if (latest) draft.sessionId = latest;
  }
}
