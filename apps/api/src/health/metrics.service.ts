import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { Queue } from 'bullmq';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { QueueName, withinDeadline } from '@app/core';
import { MessageHistory, PossibleDuplicateSends } from '@app/messaging';

// A scrape must answer even while Redis is unreachable.
const REDIS_READ_DEADLINE_MS = 1000;

/**
 * Prometheus metrics of this API process: Node's own, plus the state of the work that matters to
 * an operator (queue depth, unfinished messages, possible duplicate sends), read when scraped
 * rather than on every request.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    @InjectQueue(QueueName.MessageDispatch) queue: Queue,
    history: MessageHistory,
    possibleDuplicates: PossibleDuplicateSends,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchboard_' });
    new Gauge({
      name: 'switchboard_dispatch_jobs',
      help: 'Jobs in the message dispatch queue, by state',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        // While Redis is down the queue's commands wait for it to come back: the other metrics
        // answer without this one.
        this.reset();
        const counts = await withinDeadline(
          queue.getJobCounts('waiting', 'active', 'delayed', 'failed'),
          REDIS_READ_DEADLINE_MS,
          'Counting the dispatch jobs',
        ).catch(() => ({}) as Record<string, number>);
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'switchboard_unfinished_messages',
      help: 'Outbound messages not yet handed to a provider, by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await history.unfinishedByStatus();
        for (const [status, count] of counts) this.set({ status }, count);
      },
    });
    new Counter({
      name: 'switchboard_possible_duplicate_sends_total',
      help: 'Moments a message may have been sent twice, by cause (all processes)',
      labelNames: ['cause'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const counts = await withinDeadline(
          possibleDuplicates.countsByCause(),
          REDIS_READ_DEADLINE_MS,
          'Reading the possible duplicate sends',
        ).catch(() => ({}) as Record<string, number>);
        for (const [cause, count] of Object.entries(counts)) this.inc({ cause }, count);
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
