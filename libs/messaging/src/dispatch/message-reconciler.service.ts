import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig, MessageDispatchJob, QueueName, dispatchJobFor } from '@app/core';
import { MessageEvents } from '../model/message-events';
import { IdempotencyService } from '../outbound/idempotency.service';
import { MessageRepository } from '../model/message.repository';
import { MessageStatus } from '../model/message-status';

// A message younger than this may still be on its way into the queue (API between COMMIT and add).
const SETTLE_MS = 5000;
const SCAN_LIMIT = 5000;
const LIVE_JOB_STATES = new Set([
  'active',
  'waiting',
  'delayed',
  'prioritized',
  'waiting-children',
]);

export interface ReconcileReport {
  examined: number;
  reenqueued: number;
  redispatched: number;
  timedOut: number;
}

/**
 * No message is lost: PostgreSQL is the source of truth, Redis only a work list.
 * Finds committed, unfinished messages whose job is gone (Redis flushed or restarted, a worker
 * killed mid-send) and gives them a job again.
 */
@Injectable()
export class MessageReconcilerService {
  private readonly logger = new Logger(MessageReconcilerService.name);
  private readonly stuckAfterMs: number;
  private readonly maxAttempts: number;

  constructor(
    config: AppConfig,
    private readonly messages: MessageRepository,
    private readonly idempotency: IdempotencyService,
    private readonly events: MessageEvents,
    @InjectQueue(QueueName.MessageDispatch) private readonly queue: Queue<MessageDispatchJob>,
  ) {
    this.stuckAfterMs = config.get('DISPATCH_STUCK_AFTER_MS');
    this.maxAttempts = config.get('DISPATCH_MAX_ATTEMPTS');
  }

  async reconcile(): Promise<ReconcileReport> {
    const candidates = await this.messages.findUnfinished(SETTLE_MS, SCAN_LIMIT);
    const states = await Promise.all(
      candidates.map((message) => this.queue.getJobState(message.id)),
    );
    const now = Date.now();
    const toEnqueue: string[] = [];
    let redispatched = 0;
    let timedOut = 0;

    for (const [index, message] of candidates.entries()) {
      const state = states[index];
      if (LIVE_JOB_STATES.has(state)) continue;
      if (message.status === MessageStatus.Sending) {
        // Its worker died mid-send (or Redis lost the job). Re-dispatching may send it twice,
        // which is bounded and counted; leaving it would lose it. Give the worker time first.
        const lastTouched = message.updatedAt.getTime();
        if (now - lastTouched < this.stuckAfterMs) continue;
        if (message.attempts >= this.maxAttempts) {
          // Tried as often as any message may be: stop rather than risk endless duplicates.
          const failed = await this.messages.transition(message.id, MessageStatus.Failed, {
            errorCode: 'DISPATCH_TIMEOUT',
            errorMessage: `No outcome after ${message.attempts} dispatch attempts.`,
          });
          if (failed) await this.events.updated(failed);
          timedOut++;
          continue;
        }
        redispatched++;
      }
      // A finished job under this id would block a new one with the same id.
      if (state === 'completed' || state === 'failed') {
        await this.queue.remove(message.id).catch(() => undefined);
      }
      toEnqueue.push(message.id);
    }

    if (toEnqueue.length > 0) {
      await this.queue.addBulk(toEnqueue.map((messageId) => dispatchJobFor(messageId)));
      this.logger.warn(
        { reenqueued: toEnqueue.length - redispatched, redispatched, timedOut },
        'Reconciler repaired messages that had no live job',
      );
    }
    await this.idempotency.deleteExpired();
    return {
      examined: candidates.length,
      reenqueued: toEnqueue.length - redispatched,
      redispatched,
      timedOut,
    };
  }
}
