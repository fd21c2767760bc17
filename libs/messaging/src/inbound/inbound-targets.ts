import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Message } from '../message.entity';
import { RequestedRoute } from '../message-status';

/** A number binding: (external phone, pool number) → exactly one target. */
export interface NumberBinding {
  id: string;
  externalPhone: string;
  poolNumber: string;
  accountId: string;
  targetType: 'conversation' | 'group_member';
  targetId: string | null;
}

/** An SMS a target wants sent in reaction to an inbound one (a group relay, a help answer). */
export interface OutboundReaction {
  accountId: string;
  to: string;
  from: string | null;
  body: string;
  route: RequestedRoute;
  requestedDeviceId?: string | null;
  groupId?: string | null;
}

/**
 * What another lib does with an inbound text bound to one of its targets (the groups lib relays
 * a member's text to the group). Runs in the transaction that stores the inbound message, so the
 * reactions are stored with it or not at all.
 */
export interface InboundTargetHandler {
  handle(
    manager: EntityManager,
    binding: NumberBinding,
    inbound: Message,
  ): Promise<OutboundReaction[]>;
}

@Injectable()
export class InboundTargets {
  private readonly handlers = new Map<string, InboundTargetHandler>();

  register(targetType: NumberBinding['targetType'], handler: InboundTargetHandler): void {
    this.handlers.set(targetType, handler);
  }

  handlerFor(targetType: string): InboundTargetHandler | undefined {
    return this.handlers.get(targetType);
  }
}
