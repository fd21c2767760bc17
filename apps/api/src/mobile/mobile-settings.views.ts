import { ApiProperty } from '@nestjs/swagger';
import { SMS_GATEWAY_WEBHOOK_EVENTS } from '@app/devices';

class GatewaySettingsView {
  @ApiProperty({
    enum: ['SSE_ONLY'],
    description: 'Wake up by Server-Sent Events (GET /events) only: no Firebase.',
  })
  notification_channel: 'SSE_ONLY';
}

class PingSettingsView {
  @ApiProperty({
    example: 60,
    description: 'Seconds between `system:ping` webhooks; each also makes the app pull messages.',
  })
  interval_seconds: number;
}

class WebhookSettingsView {
  @ApiProperty({
    example: 'n3yQ0vJ5r2bX8kLw1cF7pT4mZ6hS9dA0eG2uK5iO3qE',
    description: 'The key this device signs its webhooks with (X-Signature).',
  })
  signing_key: string;
}

/** GET /api/mobile/v1/settings: sections and keys as the app imports them. */
export class SmsGatewaySettingsView {
  @ApiProperty({ type: GatewaySettingsView })
  gateway: GatewaySettingsView;

  @ApiProperty({ type: PingSettingsView })
  ping: PingSettingsView;

  @ApiProperty({ type: WebhookSettingsView })
  webhooks: WebhookSettingsView;
}

/** One entry of GET /api/mobile/v1/webhooks. */
export class SmsGatewayWebhookView {
  @ApiProperty({ example: 'switchboard-sms-received' })
  id: string;

  @ApiProperty({
    example: 'https://sms.example.com/webhooks/sms-gateway/0d8f5a52-4b7e-4c09-9d0e-3f2a61c7b9a4',
  })
  url: string;

  @ApiProperty({ enum: SMS_GATEWAY_WEBHOOK_EVENTS })
  event: string;
}
