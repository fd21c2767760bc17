import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { MessageDispatchJob, QueueName, dispatchJobFor } from '@app/core';
import { MessageEvents } from '../model/message-events';
import { MessageRepository } from '../model/message.repository';
import { ALLOWED_PREDECESSORS, MessageStatus } from '../model/message-status';

/** What a phone reports in a `result` frame. */
export type DeviceReportedStatus = 'sent' | 'delivered' | 'failed';

/**
 * `applied`: the message changed. `unchanged`: the phone carried it but the report moves nothing
 * (a duplicate, or out of order). `not-carried`: the phone is not the one that carried it.
 */
export type DeviceReportOutcome = 'applied' | 'unchanged' | 'not-carried';

/**
 * `requeued`: the message has a dispatch job again. `busy`: its dispatch job is still running
 * (the hand-over itself), ask again shortly. `finished`: nothing to re-route (it was sent, failed,
 * expired or canceled meanwhile).
 */
export type RerouteOutcome = 'requeued' | 'busy' | 'finished';

export interface DeviceReport {
  messageId: string;
  deviceId: string;
  status: DeviceReportedStatus;
  /**
   * True when the phone holds the message (it was given to it and it has not reported yet): its
   * report decides. False for a later report (a delivery report after `sent`), which only the
   * phone that carried the message may make.
   */
  holding: boolean;
  from?: string | null;
  error?: string;
  errorCode?: string;
}

const AFTER_SENT: readonly MessageStatus[] = [MessageStatus.Sent, MessageStatus.Undelivered];

/**
 * The state changes of a message handed to a phone (the `device` route): the phone's results,
 * and re-routing when a phone does not answer or disconnects. The devices lib decides when;
 * messaging owns the message rows and the dispatch queue, so the changes live here, and messaging
 * never imports devices.
 */
@Injectable()
export class PhoneDeliveryState {
  private readonly logger = new Logger(PhoneDeliveryState.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly events: MessageEvents,
    @InjectQueue(QueueName.MessageDispatch) private readonly queue: Queue<MessageDispatchJob>,
  ) {}

  /** Statuses only move forward: a late or duplicate report finds no allowed move. */
  async recordDeviceResult(report: DeviceReport): Promise<DeviceReportOutcome> {
    const failed = report.status === 'failed';
    let status: MessageStatus;
    let fromStatuses: readonly MessageStatus[];
    if (report.holding) {
      status = failed
        ? MessageStatus.Failed
        : report.status === 'delivered'
          ? MessageStatus.Delivered
          : MessageStatus.Sent;
      fromStatuses = ALLOWED_PREDECESSORS[status];
    } else if (report.status === 'sent') {
      return this.carrierCheck(report);
    } else {
      // After `sent` the phone can still learn the fate of the SMS from the network.
      status = failed ? MessageStatus.Undelivered : MessageStatus.Delivered;
      fromStatuses = ALLOWED_PREDECESSORS[status].filter((from) => AFTER_SENT.includes(from));
    }
    const updated = await this.messages.recordDeviceReport({
      messageId: report.messageId,
      deviceId: report.deviceId,
      status,
      fromStatuses,
      requireCarrier: !report.holding,
      from: report.from ?? null,
      errorCode: failed ? (report.errorCode ?? 'DEVICE_SEND_FAILED') : null,
      errorMessage: failed ? (report.error ?? 'The phone could not send the message.') : null,
    });
    if (!updated) return report.holding ? 'unchanged' : this.carrierCheck(report);
    await this.events.updated(updated);
    return 'applied';
  }

  /**
   * Gives the message to another route (usually another phone) by dispatching it again. The job
   * id stays the message id (queue-names.ts: one live job per message), which is also what the
   * reconciler looks up: a re-routed message waiting for a phone has a live job, so the
   * reconciler leaves it alone. The finished job that handed the message over is replaced.
   * Expiry is respected by the dispatch itself (an expired message is not claimed).
   */
  async reroute(
    messageId: string,
    reason?: { code: string; message: string },
  ): Promise<RerouteOutcome> {
    const message = await this.messages.findById(messageId);
    if (!message || message.status !== MessageStatus.Sending) return 'finished';
    const removed = await this.queue.remove(messageId);
    // 0: the job is active (locked by a worker), i.e. still handing this very message over.
    if (removed === 0) return 'busy';
    // Kept for the caller to see while the message looks for another phone; cleared once sent.
    if (reason) await this.messages.recordAttemptError(messageId, reason.code, reason.message);
    const job = dispatchJobFor(messageId);
    await this.queue.add(job.name, job.data, job.opts);
    this.logger.log({ messageId, reason: reason?.code }, 'Message re-routed');
    return 'requeued';
  }

  /** No phone brought the message out after every allowed try. */
  async giveUp(messageId: string, code: string, detail: string): Promise<boolean> {
    const failed = await this.messages.transition(messageId, MessageStatus.Failed, {
      errorCode: code,
      errorMessage: detail,
    });
    if (failed) await this.events.updated(failed);
    return failed !== null;
  }

  private async carrierCheck(report: DeviceReport): Promise<DeviceReportOutcome> {
    const message = await this.messages.findById(report.messageId);
    return message?.route === 'device' && message.deviceId === report.deviceId
      ? 'unchanged'
      : 'not-carried';
  }
}
