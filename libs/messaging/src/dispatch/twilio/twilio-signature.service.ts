import { Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { AppConfig } from '@app/core';

/**
 * Checks `X-Twilio-Signature`: an HMAC of the full public URL and the form parameters with the
 * account's auth token. Without it anyone could post fake replies or statuses.
 */
@Injectable()
export class TwilioSignatureService {
  private readonly authToken?: string;
  private readonly publicBaseUrl: string;

  constructor(config: AppConfig) {
    this.authToken = config.get('TWILIO_AUTH_TOKEN');
    this.publicBaseUrl = config.get('PUBLIC_BASE_URL').replace(/\/$/, '');
  }

  get configured(): boolean {
    return Boolean(this.authToken);
  }

  /** `originalUrl` is the path and query as received; Twilio signed the public URL. */
  isValid(signature: string, originalUrl: string, params: Record<string, string>): boolean {
    if (!this.authToken) return false;
    return twilio.validateRequest(
      this.authToken,
      signature,
      this.publicBaseUrl + originalUrl,
      params,
    );
  }
}
