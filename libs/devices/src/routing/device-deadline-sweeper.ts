import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig, Clock } from '@app/core';
import { PhoneDeliveryState, PossibleDuplicateSends } from '@app/messaging';
import { DeviceRegistry, DueHandover, DueReason } from '../live/device-registry';

const BATCH = 100;
// When the message's dispatch job is still running (the hand-over itself), look again soon.
const BUSY_RETRY_MS = 500;

const REASONS: Record<DueReason, { code: string; message: string } | undefined> = {
  'ack-timeout': {
    code: 'DEVICE_ACK_TIMEOUT',
    message: 'The phone did not acknowledge the message in time; trying another phone.',
  },
  'result-timeout': {
    code: 'DEVICE_RESULT_TIMEOUT',
    message: 'The phone did not report a result in time; trying another phone.',
  },
  disconnected: {
    code: 'DEVICE_DISCONNECTED',
    message: 'The phone disconnected before reporting; trying another phone.',
  },
  retry: undefined,
};

/**
 * Re-routes messages whose phone ran out of time: no `ack` within DEVICE_ACK_TIMEOUT_MS, no
 * `result` within DEVICE_RESULT_TIMEOUT_MS after it, or a disconnect. Runs in every worker; the
 * deadlines live in Redis and each is taken by exactly one worker (TAKE_DUE), so a worker that
 * dies loses nothing and two never re-route the same message.
 */
@Injectable()
export class DeviceDeadlineSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeviceDeadlineSweeper.name);
  private readonly intervalMs: number;
  private readonly maxReroutes: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly phoneDelivery: PhoneDeliveryState,
    private readonly possibleDuplicates: PossibleDuplicateSends,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    // A quarter of the shortest timeout, within [50 ms, 1 s]: timeouts fire close to on time.
    const shortest = Math.min(
      config.get('DEVICE_ACK_TIMEOUT_MS'),
      config.get('DEVICE_RESULT_TIMEOUT_MS'),
    );
    this.intervalMs = Math.min(1000, Math.max(50, Math.floor(shortest / 4)));
    // As many phones may lose one message as dispatch attempts it may take: a message that no
    // phone ever reports on (it crashes the app?) must end rather than circle forever.
    this.maxReroutes = config.get('DISPATCH_MAX_ATTEMPTS');
    const phoneTime = config.get('DEVICE_ACK_TIMEOUT_MS') + config.get('DEVICE_RESULT_TIMEOUT_MS');
    if (phoneTime >= config.get('DISPATCH_STUCK_AFTER_MS')) {
      // The reconciler would call a message a phone is still allowed to work on stuck, and send
      // it again elsewhere before the phone's time is up.
      this.logger.warn(
        `DEVICE_ACK_TIMEOUT_MS + DEVICE_RESULT_TIMEOUT_MS (${phoneTime} ms) should be less than DISPATCH_STUCK_AFTER_MS (${config.get('DISPATCH_STUCK_AFTER_MS')} ms)`,
      );
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sweep()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'Device deadline sweep failed'))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Before Redis and PostgreSQL close: the sweep under way finishes, no new one starts. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Handles every handover that is due now. */
  async sweep(): Promise<void> {
    for (;;) {
      const due = await this.registry.takeDue(this.clock.now().getTime(), BATCH);
      for (const handover of due) await this.settle(handover);
      if (due.length < BATCH) return;
    }
  }

  private async settle(due: DueHandover): Promise<void> {
    try {
      if (due.acknowledged) {
        this.possibleDuplicates.record('device_rerouted_after_ack');
        this.logger.warn(
          { messageId: due.messageId, deviceId: due.formerDeviceId, reason: due.reason },
          'Re-routing a message the phone had acknowledged: it may go out twice',
        );
      }
      if (due.reroutes > this.maxReroutes) {
        await this.phoneDelivery.giveUp(
          due.messageId,
          'DEVICE_NO_RESULT',
          `${due.reroutes} phones took the message and none reported a result.`,
        );
        return;
      }
      const outcome = await this.phoneDelivery.reroute(due.messageId, REASONS[due.reason]);
      if (outcome === 'busy') {
        await this.registry.scheduleRetry(
          due.messageId,
          this.clock.now().getTime() + BUSY_RETRY_MS,
        );
      }
    } catch (error) {
      // Taken off the deadlines already: put it back rather than leave it to the reconciler.
      this.logger.warn({ err: error, messageId: due.messageId }, 'Could not re-route; will retry');
      await this.registry
        .scheduleRetry(due.messageId, this.clock.now().getTime() + BUSY_RETRY_MS)
        .catch(() => undefined);
    }
  }
}
