import { encodeRules, retryAfterSeconds, utcDayWindow } from './rate-limit-windows';

describe('rate limit windows', () => {
  it('rounds Retry-After up to whole seconds, never below 1', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(999)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(15 * 60_000)).toBe(900);
    expect(retryAfterSeconds(0)).toBe(1);
  });

  it('knows the UTC day and when it ends, whatever the local time zone', () => {
    expect(utcDayWindow(new Date('2026-11-21T23:59:59.999Z'))).toEqual({
      day: '2026-11-21',
      endsAtMs: Date.parse('2026-11-22T00:00:00.000Z'),
    });
    expect(utcDayWindow(new Date('2026-12-31T00:00:00.000Z'))).toEqual({
      day: '2026-12-31',
      endsAtMs: Date.parse('2027-01-01T00:00:00.000Z'),
    });
  });

  it('passes three script arguments per rule, in key order', () => {
    expect(
      encodeRules([
        { kind: 'sliding', key: 'a', limit: 3, windowMs: 900_000 },
        { kind: 'fixed', key: 'b', limit: 1000, resetsAtMs: 1_800_000_000_000 },
      ]),
    ).toEqual({
      keys: ['a', 'b'],
      args: ['sliding', '3', '900000', 'fixed', '1000', '1800000000000'],
    });
  });
});
