import { Injectable } from '@nestjs/common';
import { Message } from './message.entity';

/**
 * A route that has been given a message but can still take it back, because nothing has left the
 * server yet: the phones' route, for a phone that pulls its messages and has not pulled this one.
 * Registered at start-up by the lib that owns the route (messaging never imports it).
 */
export interface MessageWithdrawer {
  /** Takes the message back if it is certain nobody can send it any more; true when it did. */
  withdraw(message: Message): Promise<boolean>;
  /** The cancel that withdrew it did not happen after all (the message moved on): give it back. */
  restore(message: Message): Promise<void>;
}

/** The withdrawers of the routes; asked when a message being sent is canceled. */
@Injectable()
export class MessageWithdrawals {
  private readonly withdrawers: MessageWithdrawer[] = [];

  register(withdrawer: MessageWithdrawer): void {
    this.withdrawers.push(withdrawer);
  }

  /** The withdrawer that took the message back, or null when none could. */
  async withdraw(message: Message): Promise<MessageWithdrawer | null> {
    for (const withdrawer of this.withdrawers) {
      if (await withdrawer.withdraw(message)) return withdrawer;
    }
    return null;
  }
}
