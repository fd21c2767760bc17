import { HttpStatus, Injectable } from '@nestjs/common';
import { AppConfig, AppException } from '@app/core';
import { isPublicAddress, resolveHost } from './webhook-address-policy';

const MAX_URL_LENGTH = 2048;

/** Which endpoint URLs Switchboard accepts (README, Webhooks: safe outbound requests). */
@Injectable()
export class WebhookUrlPolicy {
  private readonly allowHttp: boolean;
  readonly allowPrivateNetworks: boolean;

  constructor(config: AppConfig) {
    this.allowHttp = config.get('WEBHOOK_ALLOW_HTTP');
    this.allowPrivateNetworks = config.get('WEBHOOK_ALLOW_PRIVATE_NETWORKS');
  }

  /** Throws a 422 WEBHOOK_URL_INVALID or WEBHOOK_URL_FORBIDDEN; returns the normalised URL. */
  async check(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw urlProblem('WEBHOOK_URL_INVALID', 'The url is not an absolute URL.');
    }
    if (raw.length > MAX_URL_LENGTH) {
      throw urlProblem(
        'WEBHOOK_URL_INVALID',
        `The url is longer than ${MAX_URL_LENGTH} characters.`,
      );
    }
    const schemes = this.allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(url.protocol)) {
      throw urlProblem(
        'WEBHOOK_URL_INVALID',
        this.allowHttp ? 'The url must be http:// or https://.' : 'The url must be https://.',
      );
    }
    if (url.username || url.password) {
      throw urlProblem('WEBHOOK_URL_INVALID', 'The url must not carry credentials.');
    }
    if (!this.allowPrivateNetworks) {
      let addresses: string[];
      try {
        addresses = await resolveHost(url.hostname);
      } catch {
        throw urlProblem('WEBHOOK_URL_UNRESOLVABLE', `${url.hostname} does not resolve.`);
      }
      if (addresses.some((address) => !isPublicAddress(address))) {
        throw urlProblem(
          'WEBHOOK_URL_FORBIDDEN',
          `${url.hostname} is a loopback, private, link-local or metadata address.`,
        );
      }
    }
    return url.toString();
  }
}

function urlProblem(code: string, detail: string): AppException {
  return new AppException(HttpStatus.UNPROCESSABLE_ENTITY, code, detail, {
    errors: [{ field: 'url', code, message: detail }],
  });
}
