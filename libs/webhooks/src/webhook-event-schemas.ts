import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { DeviceView } from '@app/devices';
import { MessageView } from '@app/messaging';
import { WebhookEventType } from './webhook-event-types';
import { WebhookEndpointView } from './webhook.dto';

export class WebhookTestData {
  @ApiProperty({ format: 'uuid' })
  endpointId: string;

  @ApiProperty({ example: 'This is a test event from Switchboard.' })
  message: string;
}

export class WebhookDisabledData {
  @ApiProperty({
    enum: ['gone', 'failing'],
    description:
      'gone: it answered 410; failing: every delivery failed for WEBHOOK_DISABLE_AFTER_DAYS.',
  })
  reason: string;

  @ApiProperty({ type: WebhookEndpointView })
  endpoint: WebhookEndpointView;
}

const DATA_OF_EVENT: Record<WebhookEventType, { data: Type<unknown>; summary: string }> = {
  'message.received': { data: MessageView, summary: 'An SMS arrived (Twilio or a phone).' },
  'message.sent': { data: MessageView, summary: 'The carrier or a phone took the message.' },
  'message.delivered': { data: MessageView, summary: 'The handset received the message.' },
  'message.failed': { data: MessageView, summary: 'The message could not be sent.' },
  'message.undelivered': { data: MessageView, summary: 'Sent, but never reached the handset.' },
  'message.expired': { data: MessageView, summary: 'Its expiresAt passed before it was sent.' },
  'message.canceled': { data: MessageView, summary: 'Canceled before it was sent.' },
  'device.online': { data: DeviceView, summary: 'A phone connected and said hello.' },
  'device.offline': { data: DeviceView, summary: 'A phone disconnected.' },
  'device.low_battery': {
    data: DeviceView,
    summary:
      'A phone not charging reported WEBHOOK_LOW_BATTERY_PERCENT or less (once per crossing).',
  },
  'webhook.test': { data: WebhookTestData, summary: 'Sent by POST /webhooks/{id}/test.' },
  'webhook.disabled': {
    data: WebhookDisabledData,
    summary: 'Switchboard disabled one of your endpoints (sent to your other endpoints).',
  },
};

/** `message.received` → `MessageReceivedWebhookEvent`: the schema name in the OpenAPI document. */
function schemaNameOf(type: string): string {
  return `${type
    .split(/[._]/)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('')}WebhookEvent`;
}

/** The body Switchboard POSTs for one event type, as a documented class. */
function eventSchema(type: WebhookEventType): Type<unknown> {
  const { data, summary } = DATA_OF_EVENT[type];
  const schema = class {};
  Object.defineProperty(schema, 'name', { value: schemaNameOf(type) });
  const property = (name: string, options: Parameters<typeof ApiProperty>[0]) =>
    ApiProperty(options)(schema.prototype, name);
  property('id', {
    type: String,
    format: 'uuid',
    description: 'The event id, also the webhook-id header: the same on every retry and replay.',
  });
  property('type', { type: String, enum: [type], description: summary });
  property('createdAt', {
    type: String,
    example: '2026-11-21T10:00:00.000Z',
    description: 'When it happened.',
  });
  property('accountId', { type: String, format: 'uuid' });
  property('sequence', {
    type: Number,
    example: 42,
    description:
      'Increases with each event of the account. Deliveries are not ordered: retries and concurrency can deliver a later event first.',
  });
  property('data', { type: data, description: 'The same view the REST API returns.' });
  return schema;
}

/** One documented schema per event type. */
export const WEBHOOK_EVENT_SCHEMAS: Type<unknown>[] = (
  Object.keys(DATA_OF_EVENT) as WebhookEventType[]
).map(eventSchema);
