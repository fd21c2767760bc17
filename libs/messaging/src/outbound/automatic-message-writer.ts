import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message } from '../model/message.entity';
import { MessageEnqueuer } from './message-enqueuer';
import { MessageRepository } from '../model/message.repository';
import { outboundDraft } from './outbound-draft';
import { RequestedRoute } from '../model/message-status';

/**
 * An SMS Switchboard sends on its own: an auto-reply (a help answer, a group welcome or goodbye)
 * or a relay (a member's text to the other members of a group).
 */
export interface AutomaticMessage {
  accountId: string;
  to: string;
  from: string | null;
  body: string;
  route: RequestedRoute;
  requestedDeviceId?: string | null;
  groupId?: string | null;
}

/**
 * Stores auto-replies and relays inside the transaction of what caused them, and dispatches them
 * after its commit, like any other message.
 */
@Injectable()
export class AutomaticMessageWriter {
  constructor(
    private readonly messages: MessageRepository,
    private readonly enqueuer: MessageEnqueuer,
  ) {}

  /** Stores them as queued messages; call `dispatch` with the result once committed. */
  store(manager: EntityManager, messages: AutomaticMessage[]): Promise<Message[]> {
    return this.messages.insertMany(
      messages.map((message) =>
        outboundDraft(message.accountId, message.to, message.body, {
          fromNumber: message.from,
          senderFromBinding: message.from !== null,
          routeRequested: message.route,
          requestedDeviceId: message.requestedDeviceId ?? null,
          groupId: message.groupId ?? null,
        }),
      ),
      manager,
    );
  }

  /** After the commit (MessageEnqueuer: a Redis failure is repaired by the reconciler). */
  dispatch(messages: Message[]): Promise<void> {
    return this.enqueuer.enqueue(messages);
  }
}
