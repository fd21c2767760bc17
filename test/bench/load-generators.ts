import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of a list of milliseconds. */
export function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return {
    count: sorted.length,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

export interface ClosedLoopOptions {
  url: string;
  headers: Record<string, string>;
  connections: number;
  durationSeconds: number;
  /** Request bodies, used in turn. */
  bodies: string[];
  signal: AbortSignal;
}

export interface ClosedLoopResult {
  elapsedSeconds: number;
  ok: number;
  /** Non-2xx answers, errors and timeouts together. */
  failed: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  statusCodes: Record<string, number>;
}

/** As many requests as `connections` keep-alive connections can carry (autocannon). */
export async function runClosedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  let next = 0;
  const startedAt = performance.now();
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    requests: [
      {
        setupRequest: (request) => {
          request.body = options.bodies[next++ % options.bodies.length];
          return request;
        },
      },
    ],
  });
  const stop = () => instance.stop();
  options.signal.addEventListener('abort', stop, { once: true });
  try {
    const result = await instance;
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const ok = result['2xx'];
    return {
      elapsedSeconds,
      ok,
      failed: result.non2xx + result.errors + result.timeouts,
      requestsPerSecond: ok / elapsedSeconds,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      statusCodes: Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
      ),
    };
  } finally {
    options.signal.removeEventListener('abort', stop);
  }
}

export interface ScheduledLoadOptions {
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Requests per second, each due at `start + index / rate`. */
  rate: number;
  durationSeconds: number;
  connections: number;
  body: (index: number) => string;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ScheduledLoadResult {
  scheduled: number;
  ok: number;
  failed: number;
  /** From when each request was due (not sent) to its complete answer. */
  latency: LatencySummary;
  /** How late the generator itself sent requests: if large, the figures say more about it. */
  sendLag: LatencySummary;
  /** The ten slowest requests: [seconds into the run it was due, latency ms]; shows stalls. */
  slowest: Array<[number, number]>;
  /** Epoch milliseconds at which request `index` was due. */
  dueAt: (index: number) => number;
  statusCodes: Record<string, number>;
}

/**
 * Open-loop load at a fixed rate: each request is sent when it is due, whatever happened to the
 * earlier ones, and its latency counts from that due time, so a stall shows up in the figures
 * instead of silently lowering the rate (autocannon's fixed-rate mode sends each second's
 * requests in one burst). Keep-alive connections from an undici pool.
 */
export async function runScheduledLoad(
  options: ScheduledLoadOptions,
): Promise<ScheduledLoadResult> {
  const pool = new Pool(options.origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const interval = 1000 / options.rate;
  const total = Math.round(options.rate * options.durationSeconds);
  const latencies: number[] = [];
  const timed: Array<[number, number]> = [];
  const lags: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  const inFlight = new Set<Promise<void>>();
  const headers = { 'content-type': 'application/json', ...options.headers };

  // Warm the connections first, so that the first requests do not pay for the TCP handshakes.
  await Promise.all(
    Array.from({ length: options.connections }, () =>
      pool
        .request({ path: '/health', method: 'GET' })
        .then((response) => response.body.text())
        .catch(() => undefined),
    ),
  );

  const start = performance.now() + 20;
  const fire = (index: number, due: number) => {
    lags.push(performance.now() - due);
    const request = pool
      .request({
        path: options.path,
        method: 'POST',
        headers,
        body: options.body(index),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      })
      .then(async (response) => {
        await response.body.text();
        const latency = performance.now() - due;
        latencies.push(latency);
        timed.push([(due - start) / 1000, latency]);
        statusCodes[response.statusCode] = (statusCodes[response.statusCode] ?? 0) + 1;
        if (response.statusCode >= 200 && response.statusCode < 300) ok++;
        else failed++;
      })
      .catch(() => {
        failed++;
        statusCodes.error = (statusCodes.error ?? 0) + 1;
      })
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  };

  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval);
        next++;
      }
      if (next >= total || options.signal.aborted) return resolve();
      setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
  // Bounded: every request has its own timeout.
  await Promise.all([...inFlight]);
  await pool.close();
  return {
    scheduled: next,
    ok,
    failed,
    latency: summarise(latencies),
    sendLag: summarise(lags),
    slowest: timed
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([at, latency]) => [Math.round(at * 1000) / 1000, Math.round(latency * 10) / 10]),
    dueAt: (index) => performance.timeOrigin + start + index * interval,
    statusCodes,
  };
}
