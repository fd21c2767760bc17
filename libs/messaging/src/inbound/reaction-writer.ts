import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { EntityManager } from 'typeorm';
import { MessageDispatchJob, QueueName, dispatchJobFor } from '@app/core';
import { MessageEvents } from '../events/message-events';
import { Message } from '../message.entity';
import { MessageRepository } from '../message.repository';
import { outboundDraft } from '../outbound-draft';
import { OutboundReaction } from './inbound-targets';

/**
 * Outbound messages that other work decides on (a group relay, a welcome, a help answer): stored
 * inside the caller's transaction, dispatched after its commit, like any other message.
 */
@Injectable()
export class ReactionWriter {
  private readonly logger = new Logger(ReactionWriter.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly events: MessageEvents,
    @InjectQueue(QueueName.MessageDispatch) private readonly queue: Queue<MessageDispatchJob>,
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

  /** After the commit. A Redis failure here is repaired by the reconciler. */
  async dispatch(messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      await this.queue.addBulk(messages.map((message) => dispatchJobFor(message.id)));
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not enqueue; the reconciler will pick these up');
    }
    await this.events.created(messages);
  }
}
