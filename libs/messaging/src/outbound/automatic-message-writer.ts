import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message } from '../model/message.entity';
import { MessageEnqueuer } from './message-enqueuer';
import { MessageRepository } from '../model/message.repository';
import { outboundDraft } from './outbound-draft';
import { OutboundReaction } from '../inbound/inbound-targets';

/**
 * Outbound messages that other work decides on (a group relay, a welcome, a help answer): stored
 * inside the caller's transaction, dispatched after its commit, like any other message.
 */
@Injectable()
export class ReactionWriter {
  constructor(
    private readonly messages: MessageRepository,
    private readonly enqueuer: MessageEnqueuer,
  ) {}

  /** Stores them as queued messages; call `dispatch` with the result once committed. */
  store(manager: EntityManager, reactions: OutboundReaction[]): Promise<Message[]> {
    return this.messages.insertMany(
      reactions.map((reaction) =>
        outboundDraft(reaction.accountId, reaction.to, reaction.body, {
          fromNumber: reaction.from,
          routeRequested: reaction.route,
          requestedDeviceId: reaction.requestedDeviceId ?? null,
          groupId: reaction.groupId ?? null,
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
