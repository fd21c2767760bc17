import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message } from '../model/message.entity';
import { AutomaticMessage } from '../outbound/automatic-message-writer';
import { NumberBinding } from './number-binding.repository';

/**
 * What another lib does with an inbound text bound to one of its targets (the groups lib relays
 * a member's text to the group). Runs in the transaction that stores the inbound message, so the
 * automatic messages (relays) are stored with it or not at all.
 */
export interface InboundTargetHandler {
  /**
   * Whether texts to this target are 1:1 traffic that message creation hooks see (the sessions
   * lib attaches a reply to a session); group chat traffic is not.
   */
  readonly runsCreationHooks: boolean;
  handle(
    manager: EntityManager,
    binding: NumberBinding,
    inbound: Message,
  ): Promise<InboundHandling>;
}

/** What a target handler made of an inbound text. */
export interface InboundHandling {
  /** The group whose traffic the text is: it then stays out of 1:1 conversations. */
  groupId?: string;
  automaticMessages: AutomaticMessage[];
}

@Injectable()
export class InboundTargets {
  private readonly handlers = new Map<string, InboundTargetHandler>();

  register(targetType: string, handler: InboundTargetHandler): void {
    this.handlers.set(targetType, handler);
  }

  handlerFor(targetType: string): InboundTargetHandler | undefined {
    return this.handlers.get(targetType);
  }
}
