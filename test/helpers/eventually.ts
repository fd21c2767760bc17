import { inspect } from 'node:util';

/**
 * Polls `probe` until `accept` says yes and returns that value. For state that changes in another
 * process. When `timeoutMs` passes first it throws, naming what it waited for and the last value
 * seen: a wait that ends without its condition must fail the test, never hand a caller a value its
 * assertion might happen to accept (an empty list passes `every`, a discarded result checks nothing).
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new EventuallyTimeout(accept, value, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export class EventuallyTimeout extends Error {
  constructor(accept: (value: never) => boolean, lastValue: unknown, timeoutMs: number) {
    const waitedFor = accept.toString().replace(/\s+/g, ' ');
    const seen = inspect(lastValue, { depth: 4, maxArrayLength: 20, breakLength: Infinity });
    super(`waited ${timeoutMs} ms for ${waitedFor}; last value: ${seen}`);
    this.name = 'EventuallyTimeout';
  }
}
