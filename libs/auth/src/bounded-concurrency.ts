/** Thrown by `BoundedConcurrency.run` when every slot is taken and the queue is full. */
export class ConcurrencyLimitReached extends Error {
  override readonly name = 'ConcurrencyLimitReached';
}

/**
 * At most `maxRunning` tasks at once, at most `maxQueued` waiting; a task beyond both is refused
 * at once rather than queued without end, so that a flood costs memory and latency only up to a
 * known bound.
 */
export class BoundedConcurrency {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly maxRunning: number,
    private readonly maxQueued: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxRunning) {
      if (this.waiting.length >= this.maxQueued) throw new ConcurrencyLimitReached();
      // The slot is handed over by the task that frees it, so `running` never dips in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
