import { AsyncResource } from 'node:async_hooks';

interface Pending<In, Out> {
  input: In;
  resolve: (output: Out) => void;
  reject: (error: unknown) => void;
}

export interface MicroBatcherOptions<In> {
  /** The most weight one batch may carry (default 500); a heavier input still goes, alone. */
  maxWeight?: number;
  /** The weight of one input (default 1), e.g. the number of rows it writes. */
  weight?: (input: In) => number;
}

/**
 * Coalesces the calls made during one turn of the event loop into one call of `run`: concurrent
 * requests (or jobs) each writing one row become one SQL statement, or one Redis round trip.
 * A single-row statement costs PostgreSQL ten times what a row of a multi-row one does (parse,
 * plan, commit and its WAL flush; docs/performance.md#what-made-the-difference). Nothing
 * waits for a timer: a batch holds what arrived while the previous turn ran, so a lone request
 * goes out at once, alone.
 *
 * `run` answers one output per input, in order. When a batch of several inputs fails, each is
 * run again on its own, so that one bad input fails only its own caller; `run` must therefore be
 * atomic (a failed SQL statement writes nothing) or idempotent (jobs with fixed ids).
 */
export class MicroBatcher<In, Out> {
  private pending: Pending<In, Out>[] = [];
  private readonly maxWeight: number;
  private readonly weight: (input: In) => number;
  // Bound where the batcher is made (at start-up): a batch runs in no caller's async context,
  // so that what it logs is not attributed to whichever request happened to come first.
  private readonly flushSoon = AsyncResource.bind(() => this.flush());

  constructor(
    private readonly run: (inputs: In[]) => Promise<Out[]>,
    options: MicroBatcherOptions<In> = {},
  ) {
    this.maxWeight = options.maxWeight ?? 500;
    this.weight = options.weight ?? (() => 1);
  }

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      if (this.pending.length === 1) setImmediate(this.flushSoon);
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    let batch: Pending<In, Out>[] = [];
    let weight = 0;
    for (const entry of all) {
      const entryWeight = this.weight(entry.input);
      if (batch.length > 0 && weight + entryWeight > this.maxWeight) {
        void this.runBatch(batch);
        batch = [];
        weight = 0;
      }
      batch.push(entry);
      weight += entryWeight;
    }
    if (batch.length > 0) void this.runBatch(batch);
  }

  private async runBatch(batch: Pending<In, Out>[]): Promise<void> {
    let outputs: Out[];
    try {
      outputs = await this.run(batch.map((entry) => entry.input));
    } catch (error) {
      if (batch.length === 1) return batch[0].reject(error);
      for (const entry of batch) {
        this.run([entry.input]).then(([output]) => entry.resolve(output), entry.reject);
      }
      return;
    }
    batch.forEach((entry, index) => entry.resolve(outputs[index]));
  }
}

/**
 * Runs `once` over inputs with distinct keys, in rounds: an input whose key (a message id) is
 * already in the round waits for the next one, so that two calls for one message in a batch
 * take effect one after the other, exactly as two separate statements would.
 */
export async function inRounds<I, T>(
  inputs: I[],
  keyOf: (input: I) => string,
  once: (distinct: I[]) => Promise<Map<string, T>>,
): Promise<Array<T | null>> {
  const results: Array<T | null> = new Array<T | null>(inputs.length).fill(null);
  let remaining = inputs.map((input, index) => ({ input, index, key: keyOf(input) }));
  while (remaining.length > 0) {
    const seen = new Set<string>();
    const now: typeof remaining = [];
    const later: typeof remaining = [];
    for (const entry of remaining) {
      if (seen.has(entry.key)) later.push(entry);
      else {
        seen.add(entry.key);
        now.push(entry);
      }
    }
    const found = await once(now.map((entry) => entry.input));
    for (const { key, index } of now) results[index] = found.get(key) ?? null;
    remaining = later;
  }
  return results;
}
