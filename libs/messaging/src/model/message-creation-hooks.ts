import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MessageDraft } from './message.repository';

/**
 * Lets a lib built on messaging take part in storing new messages, inside the same transaction,
 * without messaging importing it (the sessions lib creates and touches sessions this way).
 */
export interface MessageCreationHook {
  /** Whether this batch concerns the hook at all; when no hook wants it, no transaction is opened. */
  appliesTo(drafts: readonly MessageDraft[]): boolean;
  /** Runs before the INSERT, in its transaction; throw an AppException to refuse the messages. */
  beforeInsert(
    manager: EntityManager,
    accountId: string,
    drafts: readonly MessageDraft[],
  ): Promise<void>;
  /**
   * For an inbound text routed to an account, before it is stored (same transaction): a hook may
   * fill in the draft (the sessions lib attaches the reply to the peer's latest open session).
   */
  beforeInboundInsert?(
    manager: EntityManager,
    accountId: string,
    draft: MessageDraft,
  ): Promise<void>;
}

@Injectable()
export class MessageCreationHooks {
  private readonly hooks: MessageCreationHook[] = [];

  register(hook: MessageCreationHook): void {
    this.hooks.push(hook);
  }

  applicableTo(drafts: readonly MessageDraft[]): MessageCreationHook[] {
    return this.hooks.filter((hook) => hook.appliesTo(drafts));
  }

  async runInbound(manager: EntityManager, accountId: string, draft: MessageDraft): Promise<void> {
    for (const hook of this.hooks) await hook.beforeInboundInsert?.(manager, accountId, draft);
  }
}
