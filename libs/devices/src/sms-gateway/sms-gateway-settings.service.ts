import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@app/core';
import { AuthenticatedDevice } from '../device-sessions.service';
import { DeviceSigningKeys } from './device-signing-keys.service';

/** Where the app posts its webhooks: `<public URL>/webhooks/sms-gateway/<device id>`. */
export const SMS_GATEWAY_WEBHOOKS_PATH = 'webhooks/sms-gateway';

/**
 * How often the app reports its battery and connectivity (`system:ping`). Each ping also makes
 * it pull its messages, so a phone whose event stream dropped still gets them within this.
 */
export const SMS_GATEWAY_PING_INTERVAL_SECONDS = 60;

/**
 * The events Switchboard asks the app for: received texts, and pings for the device's status.
 * Sent, delivered and failed come through PATCH /message already; the app rejects (drops) any
 * event name it does not know, so only names it has are listed.
 */
export const SMS_GATEWAY_WEBHOOK_EVENTS = ['sms:received', 'system:ping'] as const;
export type SmsGatewayWebhookEvent = (typeof SMS_GATEWAY_WEBHOOK_EVENTS)[number];

/**
 * The settings the app imports (by section and key; a section it does not know is skipped, a
 * section that is not an object stops the whole import, so only these three are sent).
 */
export interface SmsGatewaySettings {
  gateway: { notification_channel: 'SSE_ONLY' };
  ping: { interval_seconds: number };
  webhooks: { signing_key: string };
}

export interface SmsGatewayWebhook {
  /** Stable, so that a re-sync does not tell the user of a "new" received-SMS webhook. */
  id: string;
  url: string;
  event: SmsGatewayWebhookEvent;
}

/**
 * What GET /settings and GET /webhooks tell a phone running SMS Gateway for Android
 * (docs/android.md): wake up by Server-Sent Events only (no Firebase), ping every minute, sign
 * webhooks with this device's key, and post received texts and pings to Switchboard.
 */
@Injectable()
export class SmsGatewaySettingsService {
  private readonly logger = new Logger(SmsGatewaySettingsService.name);
  private readonly publicUrl: string | undefined;
  private readonly warnedOrigins = new Set<string>();

  constructor(
    private readonly signingKeys: DeviceSigningKeys,
    config: AppConfig,
  ) {
    this.publicUrl = config.get('MOBILE_PUBLIC_URL');
  }

  async settingsFor(device: AuthenticatedDevice): Promise<SmsGatewaySettings> {
    return {
      gateway: { notification_channel: 'SSE_ONLY' },
      ping: { interval_seconds: SMS_GATEWAY_PING_INTERVAL_SECONDS },
      webhooks: { signing_key: await this.signingKeys.keyOf(device.id) },
    };
  }

  /**
   * `callerOrigin`: where the phone reached this API for this request; used unless
   * MOBILE_PUBLIC_URL says otherwise, since the phone can evidently reach it there.
   */
  webhooksFor(device: AuthenticatedDevice, callerOrigin: string): SmsGatewayWebhook[] {
    const base = this.publicUrl ?? callerOrigin;
    this.warnIfRefusedByReleaseApp(base);
    return SMS_GATEWAY_WEBHOOK_EVENTS.map((event) => ({
      id: `switchboard-${event.replace(':', '-')}`,
      url: `${base}/${SMS_GATEWAY_WEBHOOKS_PATH}/${device.id}`,
      event,
    }));
  }

  /** The release app sends cleartext HTTP to 127.0.0.1 only; its insecure build anywhere. */
  private warnIfRefusedByReleaseApp(base: string): void {
    const url = new URL(base);
    if (url.protocol === 'https:' || url.hostname === '127.0.0.1') return;
    if (this.warnedOrigins.has(url.origin)) return;
    this.warnedOrigins.add(url.origin);
    this.logger.warn(
      { url: url.origin },
      'Phones are given http:// webhook URLs: the release app refuses them (only its insecure build sends over plain HTTP); serve HTTPS and set MOBILE_PUBLIC_URL',
    );
  }
}
