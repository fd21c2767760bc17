import { Injectable } from '@nestjs/common';
import { EventBus } from '@app/core';
import { MessageView } from '../dto/message.view';
import { Message } from '../message.entity';

export const MESSAGE_CREATED = 'message.created';
export const MESSAGE_UPDATED = 'message.updated';

/** Tells every API instance (real-time clients, `?wait=` requests) that a message changed. */
@Injectable()
export class MessageEvents {
  constructor(private readonly bus: EventBus) {}

  created(message: Message): Promise<void> {
    return this.bus.publish({
      type: MESSAGE_CREATED,
      accountId: message.accountId,
      data: MessageView.from(message),
    });
  }

  updated(message: Message): Promise<void> {
    return this.bus.publish({
      type: MESSAGE_UPDATED,
      accountId: message.accountId,
      data: MessageView.from(message),
    });
  }
}
