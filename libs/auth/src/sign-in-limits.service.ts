import { Injectable } from '@nestjs/common';
import { AppConfig, Clock, describePhoneNumber, destinationRegionOf } from '@app/core';
import { authErrors } from './auth-errors';
import { clientNetworkOf } from './client-network';
import { RateLimitRule, utcDayWindow } from './rate-limit-windows';
import { RateLimitTicket, RateLimiter } from './rate-limiter';

const MINUTE_MS = 60_000;
const CODE_SENDS_PER_PHONE = { limit: 3, windowMs: 15 * MINUTE_MS };
const CODE_SENDS_PER_NETWORK = { limit: 10, windowMs: 60 * MINUTE_MS };
const CREDENTIAL_FAILURES_PER_PHONE = { limit: 10, windowMs: 15 * MINUTE_MS };

/**
 * The abuse limits of phone sign-in. Code SMS cost money and can be aimed at strangers (SMS
 * pumping, harassment), so they are limited per phone, per caller network, and per day: globally
 * and per destination country (so that pumping one country's numbers leaves the others theirs);
 * guesses at codes and passwords are limited per phone. Phones are counted whether or not they
 * have an account, so a limit never tells one from the other.
 */
@Injectable()
export class SignInLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Counts a code SMS about to be sent, or refuses it (429) when any limit is reached. */
  async countCodeSend(phone: string, ip: string | undefined): Promise<void> {
    const now = this.clock.now();
    const today = utcDayWindow(now);
    const rules: RateLimitRule[] = [
      {
        kind: 'sliding',
        key: `code-sends:network:${clientNetworkOf(ip)}`,
        ...CODE_SENDS_PER_NETWORK,
      },
      { kind: 'sliding', key: `code-sends:phone:${phone}`, ...CODE_SENDS_PER_PHONE },
      {
        kind: 'fixed',
        key: `code-sends:day:${today.day}`,
        limit: this.config.get('AUTH_CODE_DAILY_CAP'),
        resetsAtMs: today.endsAtMs,
      },
      {
        kind: 'fixed',
        key: `code-sends:day:${today.day}:region:${destinationRegionOf(describePhoneNumber(phone)!)}`,
        limit: this.config.get('AUTH_CODE_DAILY_CAP_PER_COUNTRY'),
        resetsAtMs: today.endsAtMs,
      },
    ];
    const decision = await this.limiter.consume(rules, now);
    if (!decision.allowed) {
      throw authErrors.rateLimited(
        decision.retryAfterMs,
        'Too many codes were requested. Wait before asking for another one.',
      );
    }
  }

  /**
   * Counts a guess at a phone's code or password before it is checked, so that parallel guesses
   * cannot slip past the limit; `attemptSucceeded` takes a right guess back off the count.
   */
  async beginAttempt(phone: string): Promise<RateLimitTicket> {
    const decision = await this.limiter.consume(
      [
        {
          kind: 'sliding',
          key: `credential-failures:phone:${phone}`,
          ...CREDENTIAL_FAILURES_PER_PHONE,
        },
      ],
      this.clock.now(),
    );
    if (!decision.allowed) {
      throw authErrors.rateLimited(
        decision.retryAfterMs,
        'Too many failed attempts for this phone number. Wait before trying again.',
      );
    }
    return decision.ticket;
  }

  attemptSucceeded(ticket: RateLimitTicket): Promise<void> {
    return this.limiter.release(ticket);
  }
}
