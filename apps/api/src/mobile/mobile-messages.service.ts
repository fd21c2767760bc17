import { Injectable } from '@nestjs/common';
import { isUuid } from '@app/core';
import {
  AuthenticatedDevice,
  DeviceReportsService,
  PulledMessage,
  ResultStatus,
} from '@app/devices';
import { Message, MessageStatus } from '@app/messaging';
import { parseAppList } from './app-body';
import {
  AppMessageStatePatch,
  AppMessageView,
  AppProcessingOrder,
  AppProcessingState,
} from './mobile-messages.dto';

/** What one pull may give a phone (the app's own server gives at most 100 too). */
export const MAX_PULLED_MESSAGES = 100;
const MAX_PATCHED_MESSAGES = 100;
// Android's SmsManager result names, found in the app's error text ("Send result: RESULT_ERROR_…").
const ANDROID_RESULT_CODE = /\b(RESULT_[A-Z_]{1,57})\b/;

const RESULT_OF: Partial<Record<AppProcessingState, ResultStatus>> = {
  Sent: 'sent',
  Delivered: 'delivered',
  Failed: 'failed',
};

/** A message as the app reads it: Gson dates (milliseconds and a zone), absent fields left out. */
export function toAppMessage({ message, simNumber }: PulledMessage): AppMessageView {
  const view: AppMessageView = {
    id: message.id,
    textMessage: { text: message.body },
    phoneNumbers: [message.toNumber],
    withDeliveryReport: true,
    isEncrypted: false,
    state: 'Pending',
    createdAt: message.createdAt.toISOString(),
  };
  if (simNumber !== null) view.simNumber = simNumber;
  if (message.expiresAt) view.validUntil = message.expiresAt.toISOString();
  return view;
}

/**
 * The app's message calls, on the device model every phone shares: pulling a message is its ack,
 * `Sent`/`Delivered`/`Failed` are its results (DeviceReportsService). A message never given to
 * this phone is ignored, whatever the app says of it.
 */
@Injectable()
export class MobileMessagesService {
  constructor(private readonly reports: DeviceReportsService) {}

  async pull(device: AuthenticatedDevice, order: AppProcessingOrder): Promise<AppMessageView[]> {
    const messages = await this.reports.pull(device, MAX_PULLED_MESSAGES);
    const direction = order === 'lifo' ? -1 : 1;
    messages.sort(
      ({ message: a }, { message: b }) =>
        direction * (a.createdAt.getTime() - b.createdAt.getTime()) || a.id.localeCompare(b.id),
    );
    return messages.map(toAppMessage);
  }

  async report(device: AuthenticatedDevice, body: unknown): Promise<void> {
    const patches = parseAppList(AppMessageStatePatch, body, MAX_PATCHED_MESSAGES);
    const ids = [...new Set(patches.map((patch) => patch.id).filter(isUuid))];
    const stored = new Map(
      (await this.reports.messagesOf(device, ids)).map((message) => [message.id, message]),
    );
    for (const patch of patches) {
      const message = stored.get(patch.id);
      if (message) await this.apply(device, patch, message);
    }
  }

  private async apply(
    device: AuthenticatedDevice,
    patch: AppMessageStatePatch,
    message: Message,
  ): Promise<void> {
    if (patch.state === 'Pending' || patch.state === 'Processed') {
      // The app has it (it may not have pulled it through us: a re-sent state): an ack.
      await this.reports.acknowledge(device, { type: 'ack', messageId: message.id });
      return;
    }
    const status = RESULT_OF[patch.state];
    if (!status) return; // Cancelling/Cancelled: the app will not send it; its deadline decides.
    if (status === 'sent' && this.alreadyCarried(device, message)) return;
    const error =
      status === 'failed'
        ? (patch.recipients.find((recipient) => recipient.error)?.error ?? undefined)
        : undefined;
    await this.reports.report(
      device,
      {
        type: 'result',
        messageId: message.id,
        status,
        error,
        errorCode: error ? ANDROID_RESULT_CODE.exec(error)?.[1] : undefined,
      },
      null,
    );
  }

  /**
   * The app repeats the states of messages it already has; a repeated `Sent` of a message this
   * phone carried changes nothing and is not a second send.
   */
  private alreadyCarried(device: AuthenticatedDevice, message: Message): boolean {
    return (
      message.deviceId === device.id &&
      message.status !== MessageStatus.Sending &&
      message.status !== MessageStatus.Queued
    );
  }
}
