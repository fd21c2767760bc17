import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, Clock } from '@app/core';
import {
  InboundMessagesService,
  Message,
  MessageHistory,
  MessageStatus,
  PhoneDeliveryState,
  PossibleDuplicateSends,
} from '@app/messaging';
import { AuthenticatedDevice } from './device-sessions.service';
import { DeviceRegistry } from './live/device-registry';
import { AckFrame, InboundFrame, ResultFrame } from './protocol/device-frames';

/**
 * `accepted`: the report counts. `ignored`: late or duplicate, harmless (the phone once had the
 * message). `not-assigned`: the message was never given to this phone.
 */
/** A message a phone pulled, and the SIM the pick chose for it (null: the phone's default). */
export interface PulledMessage {
  message: Message;
  simNumber: number | null;
}

export type ReportVerdict = 'accepted' | 'ignored' | 'not-assigned';

/**
 * What a phone reports (docs/device-protocol.md): acknowledgements, results and received SMS. A phone may only
 * report on messages given to it; a late or duplicate report changes nothing.
 */
@Injectable()
export class DeviceReportsService {
  private readonly logger = new Logger(DeviceReportsService.name);
  private readonly resultTimeoutMs: number;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly phoneDelivery: PhoneDeliveryState,
    private readonly inbound: InboundMessagesService,
    private readonly possibleDuplicates: PossibleDuplicateSends,
    private readonly history: MessageHistory,
    private readonly clock: Clock,
    config: AppConfig,
  ) {
    this.resultTimeoutMs = config.get('DEVICE_RESULT_TIMEOUT_MS');
  }

  /** The phone accepted the message for sending: it now has the result timeout to report. */
  async acknowledge(device: AuthenticatedDevice, frame: AckFrame): Promise<ReportVerdict> {
    const outcome = await this.registry.acknowledge(
      frame.messageId,
      device.id,
      this.clock.now().getTime() + this.resultTimeoutMs,
    );
    if (outcome === 'accepted') return 'accepted';
    return outcome === 'unknown' ? 'not-assigned' : 'ignored';
  }

  /**
   * For a phone that pulls its work (the SMS Gateway app, over SSE): the messages it holds, at
   * most `limit`. Pulling a message is its ack (the result deadline starts with the first pull);
   * a message pulled again is given again, since the phone may have lost the answer. A message
   * that is no longer being sent (canceled, expired) is left to the deadline sweeper.
   */
  async pull(device: AuthenticatedDevice, limit: number): Promise<PulledMessage[]> {
    const held = await this.registry.heldMessages(device.id, limit);
    const simOf = new Map(held.map((entry) => [entry.messageId, entry.simNumber]));
    const messages = (
      await this.history.findManyOwned(
        device.accountId,
        held.map((entry) => entry.messageId),
      )
    ).filter(
      (message) =>
        message.status === MessageStatus.Sending &&
        message.direction === 'outbound' &&
        !message.sensitive,
    );
    const resultDeadline = this.clock.now().getTime() + this.resultTimeoutMs;
    const acks = await Promise.all(
      messages.map((message) => this.registry.acknowledge(message.id, device.id, resultDeadline)),
    );
    return messages
      .filter((_, index) => acks[index] === 'accepted' || acks[index] === 'duplicate')
      .map((message) => ({ message, simNumber: simOf.get(message.id) ?? null }));
  }

  /** The device's messages among `messageIds`, as stored (what a report would change). */
  messagesOf(device: AuthenticatedDevice, messageIds: string[]): Promise<Message[]> {
    return this.history.findManyOwned(device.accountId, messageIds);
  }

  async report(
    device: AuthenticatedDevice,
    frame: ResultFrame,
    from: string | null,
  ): Promise<ReportVerdict> {
    // First result wins: the phone lets go of the message in Redis before anything is written.
    const ownership = await this.registry.releaseHandover(frame.messageId, device.id);
    const outcome = await this.phoneDelivery.recordDeviceResult({
      messageId: frame.messageId,
      deviceId: device.id,
      status: frame.status,
      holding: ownership === 'current',
      from,
      error: frame.error,
      errorCode: frame.errorCode,
    });
    if (outcome === 'applied') return 'accepted';
    if (outcome === 'unchanged' || ownership === 'former') {
      if (ownership === 'former' && frame.status === 'sent') {
        // It was re-routed (timeout, disconnect) and this phone sent it anyway.
        this.possibleDuplicates.record('device_sent_after_reroute');
        this.logger.warn(
          { messageId: frame.messageId, deviceId: device.id },
          'Late "sent" from a phone the message had been taken from: it may have gone out twice',
        );
      }
      return 'ignored';
    }
    return 'not-assigned';
  }

  /** Into the inbound pipeline, once per (device, id): a replayed frame stores nothing new. */
  async receive(
    device: AuthenticatedDevice,
    frame: InboundFrame,
    phoneNumber: string | null,
  ): Promise<{ messageId: string; duplicate: boolean }> {
    const received = await this.inbound.receive({
      source: 'device',
      sourceId: device.id,
      externalId: frame.id,
      accountId: device.accountId,
      from: frame.from,
      to: phoneNumber,
      body: frame.body,
      receivedAt: new Date(frame.receivedAt),
      simNumber: frame.simNumber,
    });
    if (received.peer) {
      // Replies to this person go out from this phone (and SIM) while it can take them. Only a
      // preference: the text is stored, so failing to note it must not fail the phone's report.
      await this.registry
        .rememberLastTexted(device.accountId, received.peer, device.id, frame.simNumber ?? null)
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error, deviceId: device.id },
            'Could not note which phone a sender texted; their replies go out least-loaded',
          ),
        );
    }
    return { messageId: received.messageId, duplicate: received.duplicate };
  }
}
