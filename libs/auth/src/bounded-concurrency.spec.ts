import { BoundedConcurrency, ConcurrencyLimitReached } from './bounded-concurrency';

describe('BoundedConcurrency', () => {
  it('runs at most maxRunning tasks at once, queues maxQueued, refuses the rest', async () => {
    const limit = new BoundedConcurrency(2, 1);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = () =>
      limit.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return 'done';
      });
    const accepted = [task(), task(), task()];
    await expect(task()).rejects.toBeInstanceOf(ConcurrencyLimitReached);
    await new Promise((resolve) => setImmediate(resolve));
    expect(releases).toHaveLength(2);
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(releases).toHaveLength(2);
    while (releases.length) {
      releases.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new BoundedConcurrency(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 42)).toBe(42);
  });
});
