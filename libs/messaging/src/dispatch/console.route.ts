import { Injectable, Logger } from '@nestjs/common';
import { Message } from '../model/message.entity';
import { NumberPoolService } from '../inbound/number-pool.service';
import { DispatchOutcome, SmsRoute } from './sms-route';

/**
 * Stands in for Twilio when it is not configured: logs each message and marks it sent, so that
 * Switchboard can be tried without an account. Never used when Twilio credentials are set.
 */
@Injectable()
export class ConsoleRoute implements SmsRoute {
  readonly name = 'console' as const;
  private readonly logger = new Logger('ConsoleSms');

  constructor(private readonly numberPool: NumberPoolService) {}

  async isAvailableFor(): Promise<boolean> {
    return true;
  }

  async dispatch(message: Message): Promise<DispatchOutcome> {
    const from = message.fromNumber ?? this.numberPool.numbers[0] ?? null;
    this.logger.log(
      {
        messageId: message.id,
        from,
        to: message.toNumber,
        segments: message.segments,
        // Sign-in codes must never reach the logs, even in development.
        body: message.sensitive ? '[sensitive body hidden]' : message.body,
      },
      'SMS (console provider, not sent)',
    );
    if (message.sensitive) this.showOnTerminal(message);
    return { kind: 'sent', providerMessageId: null, from };
  }

  /**
   * Without Twilio, the person trying Switchboard at its terminal is the only one who can read a
   * sign-in code: it is shown there, on the terminal itself and only when there is one, so that
   * it still never reaches stored logs (a file, a pipe, a container's log driver).
   */
  private showOnTerminal(message: Message): void {
    if (!process.stdout.isTTY) return;
    process.stdout.write(
      `\n  Text to ${message.toNumber} (console provider; shown on this terminal only, never logged):\n` +
        `  ${message.body}\n\n`,
    );
  }
}
