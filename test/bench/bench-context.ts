import type { FakeTwilioProcess, ServerProcess } from './bench-processes';

/** One line of the results table. */
export interface BenchFigure {
  /** Stable identifier, the key in bench-results/latest.json. */
  key: string;
  label: string;
  value: number;
  unit: 'msg/s' | 'req/s' | 'deliveries/s' | 'ms';
  /** The goal, if there is one: at least (`min`) or at most (`max`) this value. */
  target?: { min?: number; max?: number };
  /** Anything that helps read the value (p50, errors, how long it ran). */
  note?: string;
}

export function meetsTarget(figure: BenchFigure): boolean | undefined {
  if (!figure.target || !Number.isFinite(figure.value)) return figure.target ? false : undefined;
  const { min, max } = figure.target;
  return (min === undefined || figure.value >= min) && (max === undefined || figure.value <= max);
}

/**
 * What a benchmark module gets from the runner: the running API (the worker stopped or started
 * on demand), a fresh account's API key, the fake Twilio, and the runner's abort signal (Ctrl-C).
 * The device benchmark (`device.bench.ts`, when present) exports
 * `runDeviceBench(context: BenchContext): Promise<BenchFigure[]>`; the runner calls it after its
 * own phases and prints its figures with the others.
 */
export interface BenchContext {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  apiUrl: string;
  apiKey: string;
  /** The environment the API and the worker run with (database, Redis prefix, Twilio fake). */
  serverEnv: Readonly<Record<string, string>>;
  fakeTwilio: FakeTwilioProcess;
  /** Starts the worker if it is not running; resolves once it consumes the dispatch queue. */
  startWorker(): Promise<ServerProcess>;
  stopWorker(): Promise<void>;
  /** Deletes every message and queued job (stops the worker first; start it again if needed). */
  resetMessages(): Promise<void>;
  /** One line of progress on the console. */
  progress(line: string): void;
  signal: AbortSignal;
}

export type DeviceBench = (context: BenchContext) => Promise<BenchFigure[]>;
