// `npm run bench`: accept throughput and latency, batch throughput, drain rate and
// enqueue→provider latency of Switchboard (issue 3, item 12), with the API, the worker and a fake
// Twilio as separate processes (bench-stack.ts), against PostgreSQL and Redis at their defaults.
// With `webhooks`, the drain again with an endpoint subscribed to every message.sent, and the
// worker's deliveries to a local receiver (webhook-receiver.ts). Options:
//   --verbose        the CPU time of each process per phase and message (also in latest.json)
//   --profile        CPU profiles of the API and the worker per phase, in bench-results/profiles/
//   --only=a,b       run only these phases (yardstick, single, latency, batch, drain, webhooks,
//                    draining, e2e, device)
// Environment: BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_REDIS_PREFIX, BENCH_WORKER_CONCURRENCY.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { databaseNameOf } from '@app/core';
import { BenchContext, BenchFigure, DeviceBench, meetsTarget } from './bench-context';
import { REPO_ROOT, killAllChildrenNow } from './bench-processes';
import { describeMachine, formatTable, writeJson } from './bench-report';
import {
  BENCH_DATABASE_URL,
  BENCH_REDIS_PREFIX,
  BENCH_WORKER_CONCURRENCY,
  BenchStack,
  waitFor,
} from './bench-stack';
import { CpuUse, describeCpu, stealSoFar } from './cpu-meter';
import {
  ClosedLoopResult,
  ScheduledLoadResult,
  runClosedLoop,
  runScheduledLoad,
  summarise,
} from './load-generators';
import { summariseProfile } from './profile-summary';
import { WebhookReceiver } from './webhook-receiver';

const RESULTS_FILE = join(REPO_ROOT, 'bench-results', 'latest.json');

// The phases, their sizes and their targets (issue 3, item 12).
const SINGLE = { connections: 32, seconds: 10, target: 3500 };
const SINGLE_DRAINING = { backlog: 10_000, target: 1800 };
const BATCH = { size: 1000, connections: 4, seconds: 6, target: 25_000 };
const DRAIN = { backlog: 20_000, timeoutMs: 90_000, target: 1800 };
// A backlog drained again, each message's message.sent delivered to a local receiver: half the
// plain drain's, so that the phase stays under a minute (its rate is from the first send to the
// last, as the plain drain's).
const WEBHOOKS = { backlog: 10_000, event: 'message.sent', timeoutMs: 90_000 };
const FIXED_RATE = { rate: 500, seconds: 10, connections: 16, targetP99Ms: 10 };
const END_TO_END = { rate: 200, seconds: 10, connections: 16, settleMs: 15_000 };
const WARM_UP_SECONDS = 3;
// After the worker (re)starts: its JIT and its caches (sender numbers) warm up before measuring.
const WORKER_WARM_UP_SECONDS = 2;
// Before a fixed-rate measurement: the same load, unmeasured. Straight after a phase at full
// speed, the first ~4 s at 500 req/s ran slower (a p99 of 17-22 ms against 8-13 ms with this
// warm-up, in paired runs): what is measured is the steady state at that rate.
const FIXED_RATE_WARM_UP_SECONDS = 3;
/** The yardstick's figures that Switchboard's are compared with. */
type YardstickFigure = 'single' | 'batch' | 'drain' | 'latency.stopped' | 'latency.running';
const PHASES = [
  'yardstick',
  'single',
  'latency',
  'batch',
  'drain',
  'webhooks',
  'draining',
  'e2e',
  'device',
] as const;
type Phase = (typeof PHASES)[number];

// The workload: short texts to a thousand recipients (each gets a sticky sender number once).
const RECIPIENTS = Array.from({ length: 1000 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
// A one-segment text, as most traffic is (sign-in codes, notifications).
const BODY = 'Your Switchboard code is 428113.';
const singleBody = (index: number, body = BODY) =>
  JSON.stringify({ to: RECIPIENTS[index % RECIPIENTS.length], body });
const SINGLE_BODIES = RECIPIENTS.map((_, i) => singleBody(i));
const batchBody = (offset: number) =>
  JSON.stringify({
    messages: Array.from({ length: BATCH.size }, (_, i) => ({
      to: RECIPIENTS[(offset + i) % RECIPIENTS.length],
      body: BODY,
    })),
  });

const abort = new AbortController();
const progress = (line: string) => console.log(line);
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const perSecond = (value: number) => Math.round(value).toLocaleString('en-US');

/** The note of a fixed-rate latency figure, Switchboard's or the yardstick's. */
function fixedRateNote({ latency, failed }: ScheduledLoadResult): string {
  return (
    `from due time; p50 ${round(latency.p50, 2)} ms, p90 ${round(latency.p90, 2)} ms, ` +
    `max ${round(latency.max)} ms; ${failed} failed`
  );
}

function checkNotAborted(): void {
  if (abort.signal.aborted) throw new Error('interrupted');
}

/** The phases, in an order that restarts the worker as little as possible. */
class Bench {
  readonly figures: BenchFigure[] = [];
  readonly details: Record<string, unknown> = {};
  /** What the yardstick reached in this run, for the shares in Switchboard's notes. */
  private readonly yardstickFigures: Partial<Record<YardstickFigure, number>> = {};
  /** Switchboard's plain drain in this run, for the webhook drain's note. */
  private plainDrainRate?: number;

  constructor(
    private readonly stack: BenchStack,
    private readonly verbose: boolean,
  ) {}

  async run(phases: Set<Phase>): Promise<void> {
    const steps: Array<[Phase, () => Promise<void>]> = [
      ['yardstick', () => this.yardstick(phases)],
      ['single', () => this.singleAccept()],
      ['latency', () => this.fixedRateLatency(false)],
      ['batch', () => this.batchAccept()],
      ['drain', () => this.drain()],
      ['webhooks', () => this.webhooks()],
      ['draining', () => this.acceptWhileDraining()],
      ['latency', () => this.fixedRateLatency(true)],
      ['e2e', () => this.endToEnd()],
      ['device', () => this.device()],
    ];
    await this.warmUp();
    for (const [phase, step] of steps) {
      checkNotAborted();
      if (phases.has(phase)) await step();
    }
  }

  private record(figure: BenchFigure): void {
    this.figures.push(figure);
  }

  /** Keeps the CPU use of a phase; prints it with --verbose, or a warning if others disturbed it. */
  private reportCpu(key: string, use: CpuUse | null, messages: number): void {
    this.details[key] = { ...(this.details[key] as object), cpu: use };
    if (this.verbose) progress(`    ${describeCpu(use, messages)}`);
    else if (use && use.other > 0.1 * use.capacity) {
      const others = Math.max(0, use.other - use.stolen);
      progress(
        `    ! of ${use.capacity.toFixed(0)} CPU-seconds, other processes used ${others.toFixed(1)} and ` +
          `the hypervisor gave ${use.stolen.toFixed(1)} to other VMs during this phase: its ` +
          'figures are pessimistic',
      );
    }
  }

  /** Queues `count` messages through the batch endpoint (of the API, or of the yardstick). */
  private async fillBacklog(
    count: number,
    origin = this.stack.apiUrl,
    path = '/api/v1/messages/batch',
  ): Promise<void> {
    for (let sent = 0; sent < count; sent += BATCH.size) {
      checkNotAborted();
      const status = await this.stack.post(path, batchBody(sent), origin);
      if (status !== 202) throw new Error(`batch answered ${status} while filling the backlog`);
    }
  }

  private singles(seconds: number): Promise<ClosedLoopResult> {
    return runClosedLoop({
      url: `${this.stack.apiUrl}/api/v1/messages`,
      headers: { 'x-api-key': this.stack.apiKey },
      connections: SINGLE.connections,
      durationSeconds: seconds,
      bodies: SINGLE_BODIES,
      signal: abort.signal,
    });
  }

  async warmUp(): Promise<void> {
    const started = performance.now();
    await this.singles(WARM_UP_SECONDS);
    await this.fillBacklog(3 * BATCH.size);
    progress(
      `[warm-up] ${round((performance.now() - started) / 1000)} s of single and batch POSTs`,
    );
  }

  /** Single POSTs from 32 connections; the key says whether the worker is stopped or draining. */
  private async measureSingles(key: 'single' | 'draining', label: string, target: number) {
    const before = await this.stack.countMessages();
    const [result, cpu] = await this.stack.measure(key, () => this.singles(SINGLE.seconds));
    const committed = (await this.stack.countMessages()) - before;
    this.record({
      key: `${key}.throughput`,
      label,
      value: result.requestsPerSecond,
      unit: 'msg/s',
      target: { min: target },
      note:
        `${SINGLE.connections} connections, ${round(result.elapsedSeconds)} s, ${result.failed} failed` +
        (key === 'single' ? this.shareOfYardstick('single', result.requestsPerSecond) : ''),
    });
    this.record({
      key: `${key}.p50`,
      label: '  latency p50',
      value: result.latencyP50Ms,
      unit: 'ms',
    });
    this.record({
      key: `${key}.p99`,
      label: '  latency p99',
      value: result.latencyP99Ms,
      unit: 'ms',
    });
    this.details[key] = { ...result, committed };
    // Requests still in flight when the load stops are committed but not counted as answered.
    if (committed < result.ok) {
      progress(`  ! ${result.ok} messages accepted but only ${committed} rows committed`);
    }
    return { result, cpu };
  }

  /**
   * The least node:http + pg + BullMQ programs doing the same accept and dispatch work
   * (reference-server.ts, reference-worker.ts), measured like Switchboard just before it: what
   * this machine allows at this moment, which varies from one VM to the next by more than the
   * targets' margins. The fixed-rate latencies and the drain only when Switchboard's are measured.
   */
  async yardstick(phases: Set<Phase>): Promise<void> {
    const { stack } = this;
    await stack.stopWorker();
    const url = await stack.startReference();
    try {
      const singles = (seconds: number) =>
        runClosedLoop({
          url: `${url}/messages`,
          headers: {},
          connections: SINGLE.connections,
          durationSeconds: seconds,
          bodies: SINGLE_BODIES,
          signal: abort.signal,
        });
      const batches = (seconds: number) =>
        runClosedLoop({
          url: `${url}/messages/batch`,
          headers: {},
          connections: BATCH.connections,
          durationSeconds: seconds,
          bodies: [0, 250, 500, 750].map(batchBody),
          signal: abort.signal,
        });
      await singles(WARM_UP_SECONDS);
      await batches(1);
      const [single, singleCpu] = await stack.measure('yardstick-single', () =>
        singles(SINGLE.seconds),
      );
      const [batch, batchCpu] = await stack.measure('yardstick-batch', () =>
        batches(BATCH.seconds),
      );
      const failed = single.failed + batch.failed;
      if (failed > 0) throw new Error(`the yardstick failed ${failed} requests`);
      const batchRate = (batch.ok * BATCH.size) / batch.elapsedSeconds;
      this.yardstickFigures.single = single.requestsPerSecond;
      this.yardstickFigures.batch = batchRate;
      this.record({
        key: 'yardstick.single',
        label: 'yardstick: single POST accept',
        value: single.requestsPerSecond,
        unit: 'msg/s',
        note: `node:http + pg + BullMQ alone, same table and load; p99 ${single.latencyP99Ms} ms`,
      });
      this.record({
        key: 'yardstick.batch',
        label: 'yardstick: batch accept',
        value: batchRate,
        unit: 'msg/s',
        note: `same, ${batch.ok} batches of ${BATCH.size}`,
      });
      this.details.yardstick = { single, batch: { ...batch, messagesPerSecond: batchRate } };
      progress(
        `[yardstick] node:http + pg + BullMQ alone: ${perSecond(single.requestsPerSecond)} msg/s single, ` +
          `${perSecond(batchRate)} msg/s in batches`,
      );
      this.reportCpu('yardstick.single', singleCpu, single.ok);
      this.reportCpu('yardstick.batch', batchCpu, batch.ok * BATCH.size);
      if (phases.has('latency')) await this.yardstickLatency(url, false);
      if (phases.has('drain') || phases.has('webhooks')) await this.yardstickDrain(url);
      if (phases.has('latency')) await this.yardstickLatency(url, true);
    } finally {
      await stack.stopReference();
    }
  }

  /** The yardstick's accept latency at the fixed rate, with its worker stopped or keeping up. */
  private async yardstickLatency(url: string, workerRunning: boolean): Promise<void> {
    const { stack } = this;
    const key = workerRunning ? 'latency.running' : 'latency.stopped';
    await stack.resetReference();
    if (workerRunning) await stack.startReferenceWorker();
    const [result, cpu] = await this.acceptsAtFixedRate(`yardstick-${key}`, url, '/messages', {});
    const backlog = workerRunning ? await this.backlogNote() : '';
    const worker = workerRunning ? 'worker running' : 'worker stopped';
    const { latency } = result;
    this.yardstickFigures[key] = latency.p99;
    this.record({
      key: `yardstick.${key}.p99`,
      label: `yardstick: latency at ${FIXED_RATE.rate} req/s, ${worker}, p99`,
      value: latency.p99,
      unit: 'ms',
      note: fixedRateNote(result) + backlog,
    });
    this.details[`yardstick.${key}`] = { ...result, dueAt: undefined };
    progress(
      `[yardstick, ${FIXED_RATE.rate} req/s, ${worker}] p50 ${round(latency.p50, 2)} ms, ` +
        `p99 ${round(latency.p99, 2)} ms from due time (${result.ok}/${result.scheduled} ok)`,
    );
    this.reportCpu(`yardstick.${key}`, cpu, result.ok);
  }

  /** The yardstick's worker draining the same backlog to the fake Twilio. */
  private async yardstickDrain(url: string): Promise<void> {
    const { stack } = this;
    await stack.resetReference();
    await this.fillBacklog(DRAIN.backlog, url, '/messages/batch');
    const drained = await this.measureDrain('yardstick-drain', () => stack.startReferenceWorker());
    this.yardstickFigures.drain = drained.rate;
    this.record({
      key: 'yardstick.drain',
      label: 'yardstick: drain to the fake Twilio',
      value: drained.rate,
      unit: 'msg/s',
      note: `node + pg + BullMQ + undici alone, first to last send ${round(drained.seconds)} s, concurrency ${BENCH_WORKER_CONCURRENCY}`,
    });
    this.details['yardstick.drain'] = drained;
    progress(`[yardstick, drain] ${perSecond(drained.rate)} msg/s`);
    this.reportCpu('yardstick.drain', drained.cpu, drained.sends);
  }

  /** "; 87 % of the yardstick", when the yardstick ran. */
  private shareOfYardstick(kind: 'single' | 'batch' | 'drain', rate: number): string {
    const reference = this.yardstickFigures[kind];
    return reference ? `; ${Math.round((100 * rate) / reference)} % of the yardstick` : '';
  }

  /**
   * "; the worker fell behind: 1,234 still queued", when the load left more than a second's
   * worth of messages untaken: the latency then measures a machine too busy for the rate, not a
   * server keeping up with it.
   */
  private async backlogNote(): Promise<string> {
    const queued = await this.stack.countMessages('queued');
    return queued > FIXED_RATE.rate
      ? `; the worker fell behind: ${queued.toLocaleString('en-US')} still queued at the end`
      : '';
  }

  /** "; the yardstick's p99 9.1 ms", when the yardstick ran. */
  private yardstickLatencyNote(kind: 'latency.stopped' | 'latency.running'): string {
    const reference = this.yardstickFigures[kind];
    return reference === undefined ? '' : `; the yardstick's p99 ${round(reference, 1)} ms`;
  }

  async singleAccept(): Promise<void> {
    await this.stack.stopWorker();
    const { result, cpu } = await this.measureSingles(
      'single',
      'single POST accept, worker stopped',
      SINGLE.target,
    );
    progress(
      `[single, worker stopped] ${perSecond(result.requestsPerSecond)} msg/s, ` +
        `p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms (${result.failed} failed)`,
    );
    this.reportCpu('single', cpu, result.ok);
  }

  async acceptWhileDraining(): Promise<void> {
    await this.stack.startWorker();
    await this.fillBacklog(SINGLE_DRAINING.backlog);
    const before = await this.stack.fake.stats();
    const { result, cpu } = await this.measureSingles(
      'draining',
      'single POST accept, worker draining',
      SINGLE_DRAINING.target,
    );
    const drained = (await this.stack.fake.stats()).count - before.count;
    this.details.draining = {
      ...(this.details.draining as object),
      sendsDuringRun: drained,
      drainRateDuringRun: drained / result.elapsedSeconds,
    };
    progress(
      `[single, worker draining] ${perSecond(result.requestsPerSecond)} msg/s accepted, ` +
        `p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms; ` +
        `meanwhile the worker sent ${perSecond(drained / result.elapsedSeconds)} msg/s`,
    );
    this.reportCpu('draining', cpu, result.ok);
  }

  async batchAccept(): Promise<void> {
    await this.stack.stopWorker();
    const before = await this.stack.countMessages();
    const [result, cpu] = await this.stack.measure('batch', () =>
      runClosedLoop({
        url: `${this.stack.apiUrl}/api/v1/messages/batch`,
        headers: { 'x-api-key': this.stack.apiKey },
        connections: BATCH.connections,
        durationSeconds: BATCH.seconds,
        bodies: [0, 250, 500, 750].map(batchBody),
        signal: abort.signal,
      }),
    );
    const committed = (await this.stack.countMessages()) - before;
    const rate = (result.ok * BATCH.size) / result.elapsedSeconds;
    this.record({
      key: 'batch.throughput',
      label: `batch accept (${BATCH.size} per request)`,
      value: rate,
      unit: 'msg/s',
      target: { min: BATCH.target },
      note:
        `${BATCH.connections} connections, ${result.ok} batches, p50 ${result.latencyP50Ms} ms, p99 ${result.latencyP99Ms} ms per batch, ${result.failed} failed` +
        this.shareOfYardstick('batch', rate),
    });
    this.details.batch = { ...result, messagesPerSecond: rate, committed };
    progress(
      `[batch] ${perSecond(rate)} msg/s (${result.ok} batches of ${BATCH.size}, p99 ${result.latencyP99Ms} ms)`,
    );
    this.reportCpu('batch', cpu, result.ok * BATCH.size);
  }

  /**
   * Starts a worker on the backlog queued and measures it until every message reached the fake
   * Twilio: the rate from the first send to the last, the CPU use from once the worker runs (its
   * start-up counts in neither).
   */
  private async measureDrain(key: string, startWorker: () => Promise<unknown>) {
    const { stack } = this;
    await stack.fake.reset();
    await startWorker();
    const sentBefore = (await stack.fake.stats()).count;
    const [stats, cpu] = await stack.measure(key, () =>
      waitFor(
        `${DRAIN.backlog} sends at the fake Twilio`,
        () => stack.fake.stats(),
        (current) => current.distinct >= DRAIN.backlog,
        DRAIN.timeoutMs,
        abort.signal,
      ),
    );
    const seconds = (stats.lastAt! - stats.firstAt!) / 1000;
    return { stats, seconds, rate: stats.count / seconds, sends: stats.count - sentBefore, cpu };
  }

  async drain(): Promise<void> {
    const { stack } = this;
    await stack.resetMessages();
    await this.fillBacklog(DRAIN.backlog);
    const { stats, seconds, rate, sends, cpu } = await this.measureDrain('drain', () =>
      stack.startWorker(),
    );
    // The worker records "sent" after the provider's answer: give it a moment to finish.
    const sent = await waitFor(
      'the sent status of every message',
      () => stack.countMessages('sent'),
      (n) => n >= DRAIN.backlog,
      10_000,
      abort.signal,
    ).catch(() => stack.countMessages('sent'));
    this.record({
      key: 'drain.rate',
      label: `drain to the fake Twilio (${DRAIN.backlog.toLocaleString('en-US')} queued)`,
      value: rate,
      unit: 'msg/s',
      target: { min: DRAIN.target },
      note:
        `first to last send ${round(seconds)} s, concurrency ${BENCH_WORKER_CONCURRENCY}, ${stats.count - stats.distinct} duplicate sends, ${sent} marked sent` +
        this.shareOfYardstick('drain', rate),
    });
    this.plainDrainRate = rate;
    this.details.drain = { backlog: DRAIN.backlog, ...stats, seconds, rate, sentInDatabase: sent };
    progress(
      `[drain] ${perSecond(rate)} msg/s (${stats.count} sends in ${round(seconds)} s, ${sent} marked sent)`,
    );
    this.reportCpu('drain', cpu, sends);
  }

  /**
   * The drain with an endpoint subscribed to every message.sent: each statement that records
   * sends also writes their events and deliveries (the outbox), and the worker delivers them to
   * a local receiver meanwhile. Two figures: the drain's rate (first to last send, as the plain
   * drain's) and the deliveries' (first to last at the receiver). The endpoint is deleted after.
   */
  async webhooks(): Promise<void> {
    const { stack } = this;
    const receiver = await WebhookReceiver.start();
    try {
      await stack.resetMessages();
      const created = await stack.call('POST', '/api/v1/webhooks', {
        url: receiver.url,
        events: [WEBHOOKS.event],
        description: 'benchmark receiver',
      });
      if (created.status !== 201) {
        throw new Error(
          `creating the endpoint answered ${created.status}: ${JSON.stringify(created.body)}`,
        );
      }
      const endpoint = created.body as { id: string; secret: string };
      receiver.secret = endpoint.secret;
      try {
        await this.fillBacklog(WEBHOOKS.backlog);
        await this.measureWebhooks(receiver);
      } finally {
        const deleted = await stack.call('DELETE', `/api/v1/webhooks/${endpoint.id}`);
        if (deleted.status !== 204)
          progress(`  ! deleting the endpoint answered ${deleted.status}`);
      }
    } finally {
      await receiver.close();
    }
  }

  private async measureWebhooks(receiver: WebhookReceiver): Promise<void> {
    const { stack } = this;
    await stack.fake.reset();
    receiver.reset();
    await stack.startWorker();
    const [[sends, deliveries], cpu] = await stack.measure('webhooks', async () => {
      const drained = await waitFor(
        `${WEBHOOKS.backlog} sends at the fake Twilio`,
        () => stack.fake.stats(),
        (current) => current.distinct >= WEBHOOKS.backlog,
        WEBHOOKS.timeoutMs,
        abort.signal,
      );
      const delivered = await waitFor(
        `${WEBHOOKS.backlog} ${WEBHOOKS.event} deliveries at the receiver`,
        () => Promise.resolve(receiver.stats()),
        (current) => current.distinct >= WEBHOOKS.backlog,
        WEBHOOKS.timeoutMs,
        abort.signal,
      ).catch((error: Error) => {
        throw new Error(`${error.message} (received ${JSON.stringify(receiver.stats())})`);
      });
      return [drained, delivered] as const;
    });
    const drainSeconds = (sends.lastAt! - sends.firstAt!) / 1000;
    const drainRate = sends.count / drainSeconds;
    const deliverySeconds = (deliveries.lastAt! - deliveries.firstAt!) / 1000;
    const deliveryRate = deliveries.received / deliverySeconds;
    const lagSeconds = (deliveries.lastAt! - sends.lastAt!) / 1000;
    const ofPlainDrain = this.plainDrainRate
      ? `; ${Math.round((100 * drainRate) / this.plainDrainRate)} % of the plain drain`
      : '';
    this.record({
      key: 'webhooks.drain.rate',
      label: `drain with a webhook subscribed (${WEBHOOKS.backlog.toLocaleString('en-US')} queued, ${WEBHOOKS.event})`,
      value: drainRate,
      unit: 'msg/s',
      note:
        `first to last send ${round(drainSeconds)} s, ${sends.count - sends.distinct} duplicate sends` +
        ofPlainDrain +
        this.shareOfYardstick('drain', drainRate),
    });
    this.record({
      key: 'webhooks.deliveries.rate',
      label: `webhook deliveries to a local receiver`,
      value: deliveryRate,
      unit: 'deliveries/s',
      note:
        `${deliveries.distinct} ${WEBHOOKS.event} events, first to last delivery ${round(deliverySeconds)} s, ` +
        `the last ${round(lagSeconds)} s after the last send, ${deliveries.received - deliveries.distinct} ` +
        `delivered twice, ${deliveries.signaturesChecked - deliveries.signaturesInvalid}/${deliveries.signaturesChecked} sampled signatures valid`,
    });
    this.details.webhooks = {
      backlog: WEBHOOKS.backlog,
      sends: { ...sends, seconds: drainSeconds, rate: drainRate },
      deliveries: { ...deliveries, seconds: deliverySeconds, rate: deliveryRate, lagSeconds },
    };
    progress(
      `[webhooks] drain ${perSecond(drainRate)} msg/s with ${WEBHOOKS.event} subscribed; ` +
        `${perSecond(deliveryRate)} deliveries/s (${deliveries.distinct} in ${round(deliverySeconds)} s, ` +
        `the last ${round(lagSeconds)} s after the last send)`,
    );
    if (deliveries.signaturesInvalid > 0) {
      throw new Error(`${deliveries.signaturesInvalid} sampled webhook signatures did not verify`);
    }
    this.reportCpu('webhooks', cpu, WEBHOOKS.backlog);
  }

  /**
   * Accept latency at a fixed rate, timed from when each request was due: with the worker
   * stopped (the accept path alone) and with it running and keeping up (a server in use). Each
   * after FIXED_RATE_WARM_UP_SECONDS at the same rate (the worker's warm-up too).
   */
  async fixedRateLatency(workerRunning: boolean): Promise<void> {
    const key = workerRunning ? 'latency.running' : 'latency.stopped';
    if (workerRunning) {
      await this.stack.resetMessages();
      await this.stack.startWorker();
    } else {
      await this.stack.stopWorker();
    }
    const [result, cpu] = await this.acceptsAtFixedRate(
      key,
      this.stack.apiUrl,
      '/api/v1/messages',
      { 'x-api-key': this.stack.apiKey },
    );
    const backlog = workerRunning ? await this.backlogNote() : '';
    const worker = workerRunning ? 'worker running' : 'worker stopped';
    const { latency } = result;
    this.record({
      key: `${key}.p99`,
      label: `latency at ${FIXED_RATE.rate} req/s, ${worker}, p99`,
      value: latency.p99,
      unit: 'ms',
      target: { max: FIXED_RATE.targetP99Ms },
      note: fixedRateNote(result) + backlog + this.yardstickLatencyNote(key),
    });
    this.details[key] = { ...result, dueAt: undefined };
    progress(
      `[${FIXED_RATE.rate} req/s, ${worker}] p50 ${round(latency.p50, 2)} ms, p99 ${round(latency.p99, 2)} ms from due time ` +
        `(${result.ok}/${result.scheduled} ok, generator lag p99 ${round(result.sendLag.p99, 2)} ms)`,
    );
    this.reportCpu(key, cpu, result.ok);
  }

  /**
   * Single POSTs at FIXED_RATE.rate, timed from each request's due time: FIXED_RATE_WARM_UP_SECONDS
   * unmeasured, then FIXED_RATE.seconds measured (the CPU use as `key`).
   */
  private async acceptsAtFixedRate(
    key: string,
    origin: string,
    path: string,
    headers: Record<string, string>,
  ) {
    const load = (durationSeconds: number) =>
      runScheduledLoad({
        origin,
        path,
        headers,
        rate: FIXED_RATE.rate,
        durationSeconds,
        connections: FIXED_RATE.connections,
        body: (index) => singleBody(index),
        timeoutMs: 10_000,
        signal: abort.signal,
      });
    await load(FIXED_RATE_WARM_UP_SECONDS);
    return this.stack.measure(key, () => load(FIXED_RATE.seconds));
  }

  async endToEnd(): Promise<void> {
    const { stack } = this;
    // From a clean state: nothing left over from earlier phases queued ahead of these messages.
    await stack.resetMessages();
    await stack.startWorker();
    const load = (durationSeconds: number, prefix: string) =>
      runScheduledLoad({
        origin: stack.apiUrl,
        path: '/api/v1/messages',
        headers: { 'x-api-key': stack.apiKey },
        rate: END_TO_END.rate,
        durationSeconds,
        connections: END_TO_END.connections,
        body: (index) => singleBody(index, `${prefix}${index} ${BODY}`),
        timeoutMs: 10_000,
        signal: abort.signal,
      });
    await load(WORKER_WARM_UP_SECONDS, 'warm-up #');
    const prefix = `e2e ${randomBytes(3).toString('hex')} #`;
    const [result, cpu] = await stack.measure('e2e', () => load(END_TO_END.seconds, prefix));
    const arrivals = await waitFor(
      'every message at the fake Twilio',
      () => stack.fake.arrivals(prefix),
      (list) => list.length >= result.ok,
      END_TO_END.settleMs,
      abort.signal,
    ).catch(() => stack.fake.arrivals(prefix));
    const firstArrival = new Map<number, number>();
    for (const [body, at] of arrivals) {
      const index = Number(body.slice(prefix.length, body.indexOf(' ', prefix.length)));
      if (!firstArrival.has(index)) firstArrival.set(index, at);
    }
    const latency = summarise([...firstArrival].map(([index, at]) => at - result.dueAt(index)));
    this.record({
      key: 'endToEnd.p99',
      label: `enqueue→provider at ${END_TO_END.rate} msg/s, p99`,
      value: latency.p99,
      unit: 'ms',
      note: `p50 ${round(latency.p50)} ms, max ${round(latency.max)} ms; ${latency.count}/${result.scheduled} arrived; accept p99 ${round(result.latency.p99, 2)} ms`,
    });
    this.details.e2e = {
      scheduled: result.scheduled,
      accepted: result.ok,
      arrived: latency.count,
      latency,
      acceptLatency: result.latency,
      sendLag: result.sendLag,
    };
    progress(
      `[${END_TO_END.rate} msg/s end to end] p50 ${round(latency.p50)} ms, p99 ${round(latency.p99)} ms ` +
        `from due time to the fake Twilio (${latency.count}/${result.scheduled} arrived)`,
    );
    this.reportCpu('e2e', cpu, result.ok);
  }

  /** The device benchmark (test/bench/device.bench.ts), when there is one. */
  async device(): Promise<void> {
    const source = join(REPO_ROOT, 'test', 'bench', 'device.bench.ts');
    const compiled = join(__dirname, 'device.bench.js');
    if (!existsSync(source) || !existsSync(compiled)) {
      progress('[device] skipped: there is no test/bench/device.bench.ts');
      return;
    }
    const { runDeviceBench } = require(compiled) as { runDeviceBench: DeviceBench };
    const [figures, cpu] = await this.stack.measure('device', () => runDeviceBench(this.context()));
    for (const figure of figures) this.record(figure);
    this.details.device = { cpu };
  }

  private context(): BenchContext {
    const { stack } = this;
    return {
      apiUrl: stack.apiUrl,
      apiKey: stack.apiKey,
      serverEnv: stack.serverEnv,
      fakeTwilio: stack.fake,
      startWorker: () => stack.startWorker(),
      stopWorker: () => stack.stopWorker(),
      resetMessages: () => stack.resetMessages(),
      progress,
      signal: abort.signal,
    };
  }
}

function parseOptions() {
  const { values } = parseArgs({
    options: {
      profile: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const phases = new Set<Phase>(
    values.only ? (values.only.split(',').map((phase) => phase.trim()) as Phase[]) : PHASES,
  );
  for (const phase of phases) {
    if (!PHASES.includes(phase)) throw new Error(`unknown phase "${phase}" (${PHASES.join(', ')})`);
  }
  const profileDir = values.profile
    ? join(REPO_ROOT, 'bench-results', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'))
    : undefined;
  return { phases, profileDir, verbose: values.verbose ?? false };
}

/** Ctrl-C stops the phase under way and everything started; a second one kills at once. */
function handleSignals(): void {
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      killAllChildrenNow();
      process.exit(130);
    }
    interrupted = true;
    progress(`\n${signal}: stopping the benchmark and everything it started…`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', killAllChildrenNow);
}

async function main(): Promise<void> {
  const { phases, profileDir, verbose } = parseOptions();
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  handleSignals();

  const startedAt = new Date();
  const stealAtStart = stealSoFar();
  const stack = new BenchStack(abort.signal, profileDir);
  const bench = new Bench(stack, verbose);
  let failure: unknown;
  try {
    await stack.start();
    progress(
      `[setup] database ${databaseNameOf(BENCH_DATABASE_URL)}, Redis prefix ${BENCH_REDIS_PREFIX}, ` +
        `API on ${stack.apiUrl}, fake Twilio on ${stack.fake.info.baseUrl} ` +
        `(${round((Date.now() - startedAt.getTime()) / 1000)} s)`,
    );
    await bench.run(phases);
  } catch (error) {
    failure = error;
  }
  const machine = await stack.machine().catch(() => describeMachine('unknown', 'unknown'));
  await stack.stop();
  if (abort.signal.aborted) {
    progress('Interrupted; no results written.');
    process.exit(130);
  }

  if (bench.figures.length > 0) {
    console.log(
      `\nSwitchboard benchmark, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ` +
        `Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis} (all on this machine)\n`,
    );
    console.log(formatTable(bench.figures));
    const stolen = stolenShare(stealAtStart, (Date.now() - startedAt.getTime()) / 1000);
    if (stolen) {
      console.log(
        `\nThe hypervisor gave ${round(stolen.seconds)} of ${round(stolen.capacity)} CPU-seconds of this VM ` +
          `to other guests during the run (steal, ${round(100 * stolen.share)} %): every figure above ` +
          'is slower than the machine alone would give.',
      );
    }
    writeJson(RESULTS_FILE, {
      startedAt: startedAt.toISOString(),
      seconds: round((Date.now() - startedAt.getTime()) / 1000),
      machine,
      stolen,
      settings: {
        workerConcurrency: Number(BENCH_WORKER_CONCURRENCY),
        pacing: 'off',
        logLevel: 'warn',
      },
      figures: bench.figures.map((figure) => ({ ...figure, met: meetsTarget(figure) })),
      details: bench.details,
    });
    console.log(`\nWritten to ${RESULTS_FILE}`);
  }
  if (profileDir) for (const line of summariseProfiles(profileDir)) console.log(line);
  if (failure) {
    console.error(`\nThe benchmark failed: ${(failure as Error).stack ?? failure}`);
    process.exit(1);
  }
}

/** Steal since `start` over the run, when it is worth a mention (over 1 % of the capacity). */
function stolenShare(start: ReturnType<typeof stealSoFar>, seconds: number) {
  const end = stealSoFar();
  if (!start || !end) return undefined;
  const capacity = seconds * end.cores;
  const stolen = end.seconds - start.seconds;
  return stolen > 0.01 * capacity
    ? { seconds: stolen, capacity, share: stolen / capacity }
    : undefined;
}

function summariseProfiles(dir: string): string[] {
  const lines = [`\nCPU profiles in ${dir} (top self time):`];
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  for (const file of files.sort()) {
    lines.push(`\n${file}`, ...summariseProfile(join(dir, file), 12));
  }
  return lines;
}

void main();
