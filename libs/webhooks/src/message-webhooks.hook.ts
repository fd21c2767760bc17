import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AfterCommit,
  Message,
  MessageChangeHook,
  MessageChangeHooks,
  MessageStatus,
  MessageView,
} from '@app/messaging';
import { MESSAGE_EVENT_OF_STATUS } from './webhook-event-types';
import { WebhookOutbox } from './webhook-outbox';

/**
 * Turns message changes into webhook events (message.received, message.sent, ...) in the
 * transaction that makes them. The payload's `data` is the message's REST view at that moment.
 */
@Injectable()
export class MessageWebhooksHook implements MessageChangeHook, OnModuleInit {
  constructor(
    private readonly hooks: MessageChangeHooks,
    private readonly outbox: WebhookOutbox,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  concerns(accountId: string | null | undefined, status: MessageStatus): boolean {
    const type = MESSAGE_EVENT_OF_STATUS[status];
    return type !== undefined && this.outbox.mayWant(accountId, type);
  }

  async changed(manager: EntityManager, messages: readonly Message[]): Promise<AfterCommit | void> {
    const events = messages.flatMap((message) => {
      const type = MESSAGE_EVENT_OF_STATUS[message.status];
      if (!type || !message.accountId || !this.outbox.mayWant(message.accountId, type)) return [];
      return [{ accountId: message.accountId, type, data: MessageView.from(message) }];
    });
    if (events.length === 0) return;
    return this.outbox.append(manager, events);
  }
}
