import { HttpStatus } from '@nestjs/common';
import { AppException } from '@app/core';

/** A limit over the last `windowMs`, however the calls fall (exact, for small limits). */
export interface SlidingWindowRule {
  kind: 'sliding';
  key: string;
  limit: number;
  windowMs: number;
}

/** A limit that resets at a fixed instant (e.g. midnight UTC); one counter, any size of limit. */
export interface FixedWindowRule {
  kind: 'fixed';
  key: string;
  limit: number;
  resetsAtMs: number;
}

export type RateLimitRule = SlidingWindowRule | FixedWindowRule;

/** Retry-After is whole seconds; round up so that a client that waits that long is let through. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}

/** 429 RATE_LIMITED, with Retry-After in the header and in the body. */
export function rateLimitedException(retryAfterMs: number, detail: string): AppException {
  const seconds = retryAfterSeconds(retryAfterMs);
  return new AppException(HttpStatus.TOO_MANY_REQUESTS, 'RATE_LIMITED', detail, {
    headers: { 'Retry-After': String(seconds) },
    extensions: { retryAfter: seconds },
  });
}

/** The UTC calendar day of `now` ("2026-11-21") and the instant it ends. */
export function utcDayWindow(now: Date): { day: string; endsAtMs: number } {
  const day = now.toISOString().slice(0, 10);
  const endsAtMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { day, endsAtMs };
}

/**
 * The rules as script arguments, three per key (kind, limit, window or reset instant), so that one
 * Redis round trip checks and records them all.
 */
export function encodeRules(rules: RateLimitRule[]): { keys: string[]; args: string[] } {
  return {
    keys: rules.map((rule) => rule.key),
    args: rules.flatMap((rule) => [
      rule.kind,
      String(rule.limit),
      String(rule.kind === 'sliding' ? rule.windowMs : rule.resetsAtMs),
    ]),
  };
}
