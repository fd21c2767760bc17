import { Injectable } from '@nestjs/common';
import { AppException, Clock } from '@app/core';
import { RateLimiter, rateLimitedException } from '@app/auth';

/** Answers that tell whether a group name exists without showing the group. */
const PROBE_ANSWERS = new Set(['GROUP_NOT_FOUND', 'GROUP_NAME_TAKEN']);

const PROBES_PER_ACCOUNT = { limit: 10, windowMs: 15 * 60_000 };

/**
 * Limits each account's guesses at group names and invite codes: joins answered GROUP_NOT_FOUND
 * (no such group, or a private one with a wrong or missing code) and creations answered
 * GROUP_NAME_TAKEN. Missing and private groups count alike, so the limit itself never tells one
 * from the other; an attempt that succeeds, or fails for another reason, is not counted.
 */
@Injectable()
export class GroupNameProbes {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs `attempt` with one probe counted before it starts, so that parallel guesses cannot slip
   * past the limit, and given back unless its answer was a probe's.
   */
  async limit<T>(accountId: string, attempt: () => Promise<T>): Promise<T> {
    const decision = await this.limiter.consume(
      [{ kind: 'sliding', key: `group-name-probes:account:${accountId}`, ...PROBES_PER_ACCOUNT }],
      this.clock.now(),
    );
    if (!decision.allowed) {
      throw rateLimitedException(
        decision.retryAfterMs,
        'Too many attempts at group names or invite codes. Wait before trying again.',
      );
    }
    let probed = false;
    try {
      return await attempt();
    } catch (error) {
      probed = error instanceof AppException && PROBE_ANSWERS.has(error.code);
      throw error;
    } finally {
      if (!probed) await this.limiter.release(decision.ticket);
    }
  }
}
