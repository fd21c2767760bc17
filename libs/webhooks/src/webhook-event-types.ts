/** Every event an endpoint may subscribe to (README, Webhooks). */
export const WEBHOOK_EVENT_TYPES = [
  'message.received',
  'message.sent',
  'message.delivered',
  'message.failed',
  'message.undelivered',
  'message.expired',
  'message.canceled',
  'device.online',
  'device.offline',
  'device.low_battery',
  'webhook.test',
  'webhook.disabled',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The message status each message event reports. */
export const MESSAGE_EVENT_OF_STATUS: Record<string, WebhookEventType | undefined> = {
  received: 'message.received',
  sent: 'message.sent',
  delivered: 'message.delivered',
  failed: 'message.failed',
  undelivered: 'message.undelivered',
  expired: 'message.expired',
  canceled: 'message.canceled',
};
