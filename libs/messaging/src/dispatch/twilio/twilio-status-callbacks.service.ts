import { Injectable } from '@nestjs/common';
import { isUuid } from '@app/core';
import { MessageEvents } from '../../model/message-events';
import { MessageRepository, ProviderCarrier, isCarriedBy } from '../../model/message.repository';
import { MessageStatus } from '../../model/message-status';

/** Twilio's message statuses, in our terms. Twilio's queued/accepted/sending say nothing new. */
const TWILIO_STATUS_MAP: Record<string, MessageStatus | undefined> = {
  sent: MessageStatus.Sent,
  delivered: MessageStatus.Delivered,
  read: MessageStatus.Delivered,
  undelivered: MessageStatus.Undelivered,
  failed: MessageStatus.Failed,
  canceled: MessageStatus.Canceled,
};

export interface TwilioStatusCallback {
  messageId?: string;
  messageSid?: string;
  status?: string;
  errorCode?: string;
}

export type StatusCallbackOutcome = 'applied' | 'ignored' | 'unknown-message';

@Injectable()
export class StatusCallbacksService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly events: MessageEvents,
  ) {}

  /**
   * Idempotent and order-proof: a replay, or a `sent` after `delivered`, finds no allowed
   * transition and changes nothing. One guarded UPDATE in the usual case; only a callback that
   * changed nothing reads the message, to tell a stale report from one about a message that is
   * not Twilio's (or not under this sid).
   */
  async applyTwilioStatus(callback: TwilioStatusCallback): Promise<StatusCallbackOutcome> {
    const status = TWILIO_STATUS_MAP[callback.status ?? ''];
    if (!status || !callback.messageId || !isUuid(callback.messageId)) {
      return 'ignored';
    }
    const carrier: ProviderCarrier = { route: 'twilio', providerMessageId: callback.messageSid };
    const failed = status === MessageStatus.Failed || status === MessageStatus.Undelivered;
    const updated = await this.messages.transition(callback.messageId, status, {
      carriedBy: carrier,
      ...(failed && {
        errorCode: callback.errorCode ?? 'UNDELIVERED',
        errorMessage: `Twilio reported ${callback.status}`,
      }),
    });
    if (updated) {
      await this.events.updated(updated);
      return 'applied';
    }
    const message = await this.messages.findById(callback.messageId);
    return message && isCarriedBy(message, carrier) ? 'ignored' : 'unknown-message';
  }
}
