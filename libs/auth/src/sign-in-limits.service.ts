import { Injectable } from '@nestjs/common';
import { AppConfig, Clock, describePhoneNumber, destinationRegionOf } from '@app/core';
import { authErrors } from './auth-errors';
import { clientNetworkOf } from './client-network';
import { RateLimitRule, utcDayWindow } from './rate-limit-windows';
import { RateLimitTicket, RateLimiter } from './rate-limiter';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const CODE_SENDS_PER_PHONE = { limit: 3, windowMs: 15 * MINUTE_MS };
const CODE_SENDS_PER_NETWORK = { limit: 10, windowMs: 60 * MINUTE_MS };

// Failed codes and passwords. A caller network meets its limits before any phone does (10 < 20,
// 50 < 100), so a stranger failing on purpose from one address cannot use up a victim's allowance:
// that takes many addresses, and then the phone's limits only slow its owner down. 100 failures
// in a row is the ceiling of NIST SP 800-63B; the owner's next success clears the phone's count.
const FAILURES_PER_NETWORK = [
  { name: '15m', limit: 10, windowMs: 15 * MINUTE_MS },
  { name: '24h', limit: 50, windowMs: DAY_MS },
];
const FAILURES_PER_PHONE = [
  { name: '15m', limit: 20, windowMs: 15 * MINUTE_MS },
  { name: '24h', limit: 100, windowMs: DAY_MS },
];

/**
 * The abuse limits of phone sign-in. Code SMS cost money and can be aimed at strangers (SMS
 * pumping, harassment), so they are limited per phone, per caller network, and per day: globally
 * and per destination country (so that pumping one country's numbers leaves the others theirs).
 * Failed codes and passwords are limited per caller network (a password spray across phones),
 * per phone (a guess at one account from many addresses) and per minute for everyone (a spray
 * from many addresses: it slows every sign-in down rather than locking anyone out). Phones are
 * counted whether or not they have an account, so a limit never tells one from the other.
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
   * cannot slip past the limits. `attemptSucceeded` takes a right guess back off every count and
   * clears the phone's failures; `attemptAbandoned` takes back one that was never checked.
   */
  async beginAttempt(phone: string, ip: string | undefined): Promise<RateLimitTicket> {
    const network = clientNetworkOf(ip);
    const rules: RateLimitRule[] = [
      ...FAILURES_PER_NETWORK.map((tier) => ({
        kind: 'sliding' as const,
        key: `credential-failures:network:${tier.name}:${network}`,
        limit: tier.limit,
        windowMs: tier.windowMs,
      })),
      ...this.phoneFailureKeys(phone).map((key, i) => ({
        kind: 'sliding' as const,
        key,
        limit: FAILURES_PER_PHONE[i].limit,
        windowMs: FAILURES_PER_PHONE[i].windowMs,
      })),
      {
        kind: 'sliding',
        key: 'credential-failures:everyone',
        limit: this.config.get('AUTH_FAILED_SIGN_INS_PER_MINUTE'),
        windowMs: MINUTE_MS,
      },
    ];
    const decision = await this.limiter.consume(rules, this.clock.now());
    if (!decision.allowed) {
      throw authErrors.rateLimited(
        decision.retryAfterMs,
        'Too many failed sign-in attempts. Wait before trying again.',
      );
    }
    return decision.ticket;
  }

  async attemptSucceeded(ticket: RateLimitTicket, phone: string): Promise<void> {
    await this.limiter.release(ticket);
    await this.limiter.reset(this.phoneFailureKeys(phone));
  }

  attemptAbandoned(ticket: RateLimitTicket): Promise<void> {
    return this.limiter.release(ticket);
  }

  private phoneFailureKeys(phone: string): string[] {
    return FAILURES_PER_PHONE.map((tier) => `credential-failures:phone:${tier.name}:${phone}`);
  }
}
