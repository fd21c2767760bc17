import { Message } from '../model/message.entity';

/** The route that actually carries a message. */
export type RouteName = 'twilio' | 'console' | 'device';

/**
 * What a route reports after taking a message. `sent`: the provider accepted it (Twilio answered
 * with a sid). `handed-off`: the message is on its way and its result arrives later on its own
 * channel (a phone's `ack`/`result` frames).
 */
export type DispatchOutcome =
  | { kind: 'sent'; providerMessageId: string | null; from: string | null }
  | {
      kind: 'handed-off';
      deviceId: string;
      from: string | null;
      /** The SIM the phone was told to send from, when it reported SIMs. */
      simNumber?: number | null;
    };

/** A failure of a route, classified so that the worker knows whether to try again. */
export class DispatchError extends Error {
  override readonly name = 'DispatchError';

  constructor(
    readonly code: string,
    message: string,
    /** Permanent failures (invalid number, unsubscribed) end as `failed` at once. */
    readonly permanent: boolean,
    /** Set when the provider may have accepted the message although we saw a failure. */
    readonly ambiguous = false,
  ) {
    super(message);
  }
}

/**
 * A way out for a message: Twilio, the console stand-in, or an Android phone. One class per route,
 * registered with the RouteRegistry; the router picks among them.
 */
export interface SmsRoute {
  readonly name: RouteName;
  /** Whether this route could take this message now (e.g. the account has an eligible phone). */
  isAvailableFor(message: Message): Promise<boolean>;
  dispatch(message: Message): Promise<DispatchOutcome>;
}

/**
 * Not a failure: the message cannot go yet (its sender's pace, no phone online). The job is
 * delayed without spending an attempt.
 */
export class SendLaterError extends Error {
  override readonly name = 'SendLaterError';
  constructor(readonly delayMs: number) {
    super(`send again in ${delayMs} ms`);
  }
}
