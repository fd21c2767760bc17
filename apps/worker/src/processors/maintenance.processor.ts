import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig, MaintenanceJob, QueueName } from '@app/core';
import { MessageReconcilerService } from '@app/messaging';

// If Redis loses the scheduler itself (FLUSHALL, a restart without persistence), re-declaring it
// now and then brings the reconciler back without restarting the worker.
const SCHEDULER_REFRESH_MS = 60_000;

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
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Maintenance) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.declareSchedule();
    this.refreshTimer = setInterval(() => void this.declareSchedule(), SCHEDULER_REFRESH_MS);
    this.refreshTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.refreshTimer);
  }

  async process(job: Job): Promise<unknown> {
    if (job.name !== MaintenanceJob.ReconcileMessages) return undefined;
    return this.reconciler.reconcile();
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
    } catch (error) {
      this.logger.warn(`Could not declare the reconcile schedule: ${(error as Error).message}`);
    }
  }
}
