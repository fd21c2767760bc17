import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AppConfig, MaintenanceJob, QueueName, REDIS_CLIENT, RedisKeys } from '@app/core';
import { AuthSessionsService } from '@app/auth';
import { MessageReconcilerService } from '@app/messaging';
import { WebhookReconcilerService } from '@app/webhooks';

// If Redis loses the scheduler itself (FLUSHALL, a restart without persistence), re-declaring it
// brings the reconciler back without restarting the worker: at once when the connection comes
// back, and now and then for a FLUSHALL, which no connection notices.
const SCHEDULER_REFRESH_MS = 60_000;
const RECONCILE_LOCK_MS = 120_000;
const RELEASE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Periodic repairs. A BullMQ job scheduler makes one job per interval for all workers together,
 * and concurrency 1 keeps one reconcile at a time per worker.
 */
@Processor(QueueName.Maintenance, { concurrency: 1 })
export class MaintenanceProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, OnModuleDestroy
{
  private readonly logger = new Logger(MaintenanceProcessor.name);
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly reconciler: MessageReconcilerService,
    private readonly webhookReconciler: WebhookReconcilerService,
    private readonly authSessions: AuthSessionsService,
    private readonly config: AppConfig,
    private readonly keys: RedisKeys,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
  ) {
    super();
  }

  private readonly redeclareOnReconnect = () => void this.declareSchedule();

  async onApplicationBootstrap(): Promise<void> {
    await this.declareSchedule();
    this.refreshTimer = setInterval(() => void this.declareSchedule(), SCHEDULER_REFRESH_MS);
    this.refreshTimer.unref();
    // 'ready' follows every reconnection; a Redis that restarted without persistence is empty.
    this.redis.on('ready', this.redeclareOnReconnect);
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshTimer);
    this.redis.off('ready', this.redeclareOnReconnect);
  }

  /**
   * BullMQ reports here what it could not do outside a job, e.g. finish a job whose key vanished
   * when Redis restarted empty mid-run. Unheard, the event would throw and end the process.
   */
  @OnWorkerEvent('error')
  onWorkerError(error: Error): void {
    this.logger.warn(`Maintenance worker: ${error.message}`);
  }

  async process(job: Job): Promise<unknown> {
    if (job.name === MaintenanceJob.PurgeEndedAuthSessions) {
      return { purged: await this.authSessions.purgeEnded() };
    }
    if (job.name !== MaintenanceJob.ReconcileMessages) return undefined;
    // One reconcile at a time across every worker, even when a slow run overlaps the next tick.
    const lock = this.keys.key('lock', MaintenanceJob.ReconcileMessages);
    const token = `${process.pid}:${job.id}`;
    const acquired = await this.redis.set(lock, token, 'PX', RECONCILE_LOCK_MS, 'NX');
    if (!acquired) return { skipped: 'another reconcile is running' };
    try {
      const messages = await this.reconciler.reconcile();
      const webhooks = await this.webhookReconciler.reconcile();
      return { messages, webhooks };
    } finally {
      // Release only our own lock (it may have expired and been taken by another worker).
      await this.redis.eval(RELEASE_IF_OWNER, 1, lock, token);
    }
  }

  private async declareSchedule(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        MaintenanceJob.ReconcileMessages,
        { every: this.config.get('RECONCILE_INTERVAL_MS') },
        {
          name: MaintenanceJob.ReconcileMessages,
          opts: { removeOnComplete: 100, removeOnFail: 100 },
        },
      );
      await this.queue.upsertJobScheduler(
        MaintenanceJob.PurgeEndedAuthSessions,
        { every: 60 * 60_000 },
        {
          name: MaintenanceJob.PurgeEndedAuthSessions,
          opts: { removeOnComplete: 10, removeOnFail: 10 },
        },
      );
    } catch (error) {
      this.logger.warn(`Could not declare the maintenance schedules: ${(error as Error).message}`);
    }
  }
}
