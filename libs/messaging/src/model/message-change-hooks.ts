import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Message } from './message.entity';
import { MessageStatus } from './message-status';

/** Work a hook does once the change it saw is committed (e.g. enqueue jobs). */
export type AfterCommit = () => Promise<void>;

/**
 * Lets a lib built on messaging record a message's status changes and new inbound texts in the
 * transaction that makes them (the webhooks lib writes its outbox this way), without messaging
 * importing it. A change no hook is concerned with costs nothing: no transaction is opened.
 */
export interface MessageChangeHook {
  /** Whether a message of `accountId` (undefined: not known yet) reaching `status` concerns it. */
  concerns(accountId: string | null | undefined, status: MessageStatus): boolean;
  /** In the change's transaction, with the messages as changed. */
  changed(manager: EntityManager, messages: readonly Message[]): Promise<AfterCommit | void>;
}

@Injectable()
export class MessageChangeHooks {
  private readonly logger = new Logger(MessageChangeHooks.name);
  private readonly hooks: MessageChangeHook[] = [];

  register(hook: MessageChangeHook): void {
    this.hooks.push(hook);
  }

  concerns(accountId: string | null | undefined, status: MessageStatus): boolean {
    return this.hooks.some((hook) => hook.concerns(accountId, status));
  }

  /** Runs every hook on these changes, in the caller's transaction; call the result after COMMIT. */
  async changed(manager: EntityManager, messages: readonly Message[]): Promise<AfterCommit> {
    const afterCommits: AfterCommit[] = [];
    if (messages.length > 0) {
      for (const hook of this.hooks) {
        const afterCommit = await hook.changed(manager, messages);
        if (afterCommit) afterCommits.push(afterCommit);
      }
    }
    return async () => {
      for (const afterCommit of afterCommits) {
        // The change is committed: what is left is repaired later (the webhooks reconciler).
        await afterCommit().catch((error: Error) =>
          this.logger.warn(`After-commit work of a message change failed: ${error.message}`),
        );
      }
    };
  }

  /**
   * Runs a change (a statement returning the changed messages) in a transaction with the hooks
   * when `concerned`, else on its own as before.
   */
  async apply(
    dataSource: DataSource,
    concerned: boolean,
    change: (manager: EntityManager | undefined) => Promise<Message[]>,
  ): Promise<Message[]> {
    if (!concerned) return change(undefined);
    let afterCommit: AfterCommit | undefined;
    const messages = await dataSource.transaction(async (manager) => {
      const changed = await change(manager);
      afterCommit = await this.changed(manager, changed);
      return changed;
    });
    await afterCommit?.();
    return messages;
  }
}
