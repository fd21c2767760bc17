export enum MessageStatus {
  Scheduled = 'scheduled',
  Queued = 'queued',
  Sending = 'sending',
  Sent = 'sent',
  Delivered = 'delivered',
  Undelivered = 'undelivered',
  Failed = 'failed',
  Expired = 'expired',
  Canceled = 'canceled',
  Received = 'received',
}

export type MessageDirection = 'outbound' | 'inbound';

/** The route a caller asks for; `auto` prefers an online phone of the account, else Twilio. */
export enum RequestedRoute {
  Auto = 'auto',
  Twilio = 'twilio',
  Device = 'device',
}

export const FINAL_STATUSES: readonly MessageStatus[] = [
  MessageStatus.Delivered,
  MessageStatus.Undelivered,
  MessageStatus.Failed,
  MessageStatus.Expired,
  MessageStatus.Canceled,
  MessageStatus.Received,
];

/** States from which the message has not yet been handed to a provider for good. */
export const UNFINISHED_STATUSES: readonly MessageStatus[] = [
  MessageStatus.Scheduled,
  MessageStatus.Queued,
  MessageStatus.Sending,
];

/**
 * Statuses move only forward. For each target status, the statuses it may be reached from; an
 * update is a guarded `UPDATE … WHERE status = ANY(from)`, so an out-of-order provider callback
 * (a `sent` after a `delivered`) changes nothing.
 */
export const ALLOWED_PREDECESSORS: Readonly<Record<MessageStatus, readonly MessageStatus[]>> = {
  [MessageStatus.Scheduled]: [],
  [MessageStatus.Queued]: [],
  [MessageStatus.Received]: [],
  [MessageStatus.Sending]: [MessageStatus.Scheduled, MessageStatus.Queued],
  [MessageStatus.Sent]: [MessageStatus.Scheduled, MessageStatus.Queued, MessageStatus.Sending],
  [MessageStatus.Delivered]: [
    MessageStatus.Queued,
    MessageStatus.Sending,
    MessageStatus.Sent,
    MessageStatus.Undelivered,
  ],
  [MessageStatus.Undelivered]: [MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Sent],
  [MessageStatus.Failed]: [
    MessageStatus.Scheduled,
    MessageStatus.Queued,
    MessageStatus.Sending,
    MessageStatus.Sent,
  ],
  [MessageStatus.Expired]: [MessageStatus.Scheduled, MessageStatus.Queued, MessageStatus.Sending],
  [MessageStatus.Canceled]: [MessageStatus.Scheduled, MessageStatus.Queued],
};

/** The column that records when a message reached each status. */
export const STATUS_TIMESTAMP_COLUMN: Partial<Record<MessageStatus, string>> = {
  [MessageStatus.Sending]: 'sending_at',
  [MessageStatus.Sent]: 'sent_at',
  [MessageStatus.Delivered]: 'delivered_at',
  [MessageStatus.Undelivered]: 'failed_at',
  [MessageStatus.Failed]: 'failed_at',
  [MessageStatus.Canceled]: 'canceled_at',
  [MessageStatus.Expired]: 'expired_at',
};

export function isFinal(status: MessageStatus): boolean {
  return FINAL_STATUSES.includes(status);
}
