import { Injectable } from '@nestjs/common';
import { DomainEvent, EventBus } from '@app/core';
import { MessageView } from './message.view';
import { Message } from './message.entity';

export const MESSAGE_CREATED = 'message.created';
export const MESSAGE_UPDATED = 'message.updated';

/** Tells every API instance (real-time clients, `?wait=` requests) that a message changed. */
@Injectable()
export class MessageEvents {
  constructor(private readonly bus: EventBus) {}

  /**
   * One event per message, published together. `views` (the views of `messages`, in order) lets
   * a caller that answers with the views build them once.
   */
  created(
    messages: Message[],
    views: MessageView[] = messages.map(MessageView.from),
  ): Promise<void> {
    return this.bus.publishAll(this.createdEvents(messages, views));
  }

  /** The events `created` publishes, for a caller that sends them along with its jobs. */
  createdEvents(
    messages: Message[],
    views: MessageView[] = messages.map(MessageView.from),
  ): DomainEvent<MessageView>[] {
    return messages.map((message, index) => ({
      type: MESSAGE_CREATED,
      accountId: message.accountId,
      data: views[index],
    }));
  }

  updated(message: Message): Promise<void> {
    return this.bus.publish({
      type: MESSAGE_UPDATED,
      accountId: message.accountId,
      data: MessageView.from(message),
    });
  }
}
