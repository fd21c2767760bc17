import { Injectable, Logger } from '@nestjs/common';
import { retryWhileDatabaseUnavailable } from '@app/core';
import { MessageEvents } from '../model/message-events';
import { Message } from '../model/message.entity';
import { MessageRepository } from '../model/message.repository';
import { MessageStatus } from '../model/message-status';
import { SealedMessageBodies } from '../model/sealed-message-body';
import { MessageRouter } from './message-router';
import { PossibleDuplicateSends } from './possible-duplicate-sends';
import { DispatchError, SendLaterError } from './sms-route';

export interface DispatchAttempt {
  /** 1 for the first try of this job. */
  attempt: number;
  maxAttempts: number;
}

export type DispatchResult =
  | 'sent'
  | 'handed-off'
  | 'failed'
  | 'expired'
  | 'skipped'
  /** A transient failure: the caller (the queue) must try again later. */
  | 'retry';

// How long a sent message's outcome waits for PostgreSQL to come back before the job gives up
// (the message stays `sending`; the reconciler re-dispatches it, perhaps twice).
const RECORD_OUTCOME_PATIENCE_MS = 60_000;

/**
 * One dispatch attempt of one message: claim it, pick a route, hand it
 * over, record the outcome. The queue decides when to call it again.
 */
@Injectable()
export class MessageDispatchService {
  private readonly logger = new Logger(MessageDispatchService.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly router: MessageRouter,
    private readonly events: MessageEvents,
    private readonly possibleDuplicates: PossibleDuplicateSends,
    private readonly sealedBodies: SealedMessageBodies,
  ) {}

  /** Throws SendLaterError when the message must wait without spending an attempt. */
  async dispatch(messageId: string, attempt: DispatchAttempt): Promise<DispatchResult> {
    const claim = await this.messages.claimForDispatch(messageId);
    if (!claim) return this.settleUnclaimable(messageId);
    const { message } = claim;
    if (claim.recipientOptedOut) {
      // The recipient texted STOP to this account: nothing may reach a provider.
      return this.handleFailure(
        message,
        new DispatchError('RECIPIENT_OPTED_OUT', `${message.toNumber} has opted out (STOP).`, true),
        attempt,
      );
    }

    let route;
    let outcome;
    try {
      route = await this.router.choose(message);
      outcome = await route.dispatch(this.withRealBody(message));
    } catch (error) {
      if (error instanceof SendLaterError) {
        await this.messages.returnAttempt(messageId);
        throw error;
      }
      return this.handleFailure(message, error, attempt);
    }
    // The message left: from here on a failure is not the send's. While PostgreSQL is down the
    // outcome waits for it, rather than the message being sent again (or marked failed) later.
    const routeName = route.name;
    const recorded = await retryWhileDatabaseUnavailable(async () => {
      if (outcome.kind === 'handed-off') {
        return this.messages.recordHandedOff(
          messageId,
          routeName,
          outcome.deviceId,
          outcome.from,
          outcome.simNumber ?? null,
        );
      }
      return this.messages.recordSent(messageId, {
        route: routeName,
        from: outcome.from,
        providerMessageId: outcome.providerMessageId,
        accountId: message.accountId,
      });
    }, RECORD_OUTCOME_PATIENCE_MS);
    if (recorded) await this.events.updated(recorded);
    return outcome.kind === 'handed-off' ? 'handed-off' : 'sent';
  }

  /**
   * What the route sends: a sensitive message's real text, opened from its seal for this attempt
   * only (the row, its events and the logs keep the shown text). Without a seal that opens, it
   * must not go out at all.
   */
  private withRealBody(message: Message): Message {
    if (!message.sensitive) return message;
    if (message.sealedBody === null) {
      throw new DispatchError(
        'SEALED_BODY_MISSING',
        'The text of this message is gone (it was stored by an earlier version); ask for a new one.',
        true,
      );
    }
    const body = this.sealedBodies.open(message.sealedBody, message.toNumber);
    if (body === null) {
      throw new DispatchError(
        'SEALED_BODY_UNREADABLE',
        'The text of this message cannot be opened: the API and the worker must share AUTH_TOKEN_SECRET.',
        true,
      );
    }
    return { ...message, body };
  }

  private async handleFailure(
    message: Message,
    error: unknown,
    attempt: DispatchAttempt,
  ): Promise<DispatchResult> {
    const failure =
      error instanceof DispatchError
        ? error
        : new DispatchError('DISPATCH_ERROR', (error as Error)?.message ?? String(error), false);
    // The provider may have accepted the message anyway: the next attempt may send it again.
    if (failure.ambiguous) this.possibleDuplicates.record('provider_may_have_accepted');
    const lastAttempt = attempt.attempt >= attempt.maxAttempts;
    if (failure.permanent || lastAttempt) {
      const failed = await this.messages.transition(message.id, MessageStatus.Failed, {
        errorCode: failure.code,
        errorMessage: failure.message,
      });
      if (failed) await this.events.updated(failed);
      this.logger.warn(
        {
          messageId: message.id,
          code: failure.code,
          attempt: attempt.attempt,
          permanent: failure.permanent,
        },
        'Message failed',
      );
      return 'failed';
    }
    await this.messages.recordAttemptError(message.id, failure.code, failure.message);
    this.logger.log(
      {
        messageId: message.id,
        code: failure.code,
        attempt: attempt.attempt,
        ambiguous: failure.ambiguous,
      },
      'Dispatch attempt failed; will retry',
    );
    return 'retry';
  }

  /** Not claimable: expired (record it), or already finished or canceled (nothing to do). */
  private async settleUnclaimable(messageId: string): Promise<DispatchResult> {
    const expired = await this.messages.transition(messageId, MessageStatus.Expired, {
      errorCode: 'EXPIRED',
      errorMessage: 'The message expired before it could be sent.',
    });
    if (expired) {
      await this.events.updated(expired);
      return 'expired';
    }
    return 'skipped';
  }
}
