import { Injectable, OnModuleDestroy } from '@nestjs/common';
import twilio, { Twilio } from 'twilio';
import { AppConfig } from '@app/core';
import { Message } from '../../model/message.entity';
import { NumberPoolService } from '../../inbound/number-pool.service';
import { DispatchError, DispatchOutcome, SmsRoute } from '../sms-route';
import { SenderPacingService } from '../sender-pacing.service';
import { UndiciTwilioHttpClient } from './undici-twilio-http-client';

interface TwilioRestError {
  status?: number;
  code?: number;
  message?: string;
}

// Network failures where Twilio may or may not have received the request.
const AMBIGUOUS_NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Twilio error → retry or not. 429/20429 and 5xx are transient; other 4xx (21211, 21610…) are not. */
export function classifyTwilioError(error: unknown): DispatchError {
  const rest = error as TwilioRestError & { code?: number | string; cause?: { code?: string } };
  if (typeof rest.status === 'number') {
    const code = String(rest.code ?? `HTTP_${rest.status}`);
    const transient = rest.status === 429 || rest.status >= 500 || rest.code === 20429;
    return new DispatchError(code, rest.message ?? `Twilio answered ${rest.status}`, !transient);
  }
  const networkCode = String(rest.cause?.code ?? rest.code ?? 'NETWORK_ERROR');
  return new DispatchError(
    networkCode,
    (error as Error).message ?? 'network error',
    false,
    AMBIGUOUS_NETWORK_ERRORS.has(networkCode),
  );
}

/** Sends through Twilio's Messages API with the official SDK. */
@Injectable()
export class TwilioRoute implements SmsRoute, OnModuleDestroy {
  readonly name = 'twilio' as const;
  private readonly httpClient: UndiciTwilioHttpClient;
  private readonly client: Twilio;
  private readonly publicBaseUrl: string;

  constructor(
    config: AppConfig,
    private readonly numberPool: NumberPoolService,
    private readonly pacing: SenderPacingService,
  ) {
    this.httpClient = new UndiciTwilioHttpClient(config.get('TWILIO_API_BASE_URL'));
    this.client = twilio(config.get('TWILIO_ACCOUNT_SID'), config.get('TWILIO_AUTH_TOKEN'), {
      httpClient: this.httpClient as never,
      autoRetry: false,
    });
    this.publicBaseUrl = config.get('PUBLIC_BASE_URL').replace(/\/$/, '');
  }

  async isAvailableFor(): Promise<boolean> {
    return true;
  }

  async dispatch(message: Message): Promise<DispatchOutcome> {
    const from = await this.numberPool.senderOf(message);
    await this.pacing.waitForSlot(from);
    try {
      const sent = await this.client.messages.create({
        to: message.toNumber,
        from,
        body: message.body,
        // Our id in the URL: the callback finds the message even before we stored Twilio's sid.
        statusCallback: `${this.publicBaseUrl}/webhooks/twilio/status?messageId=${message.id}`,
      });
      return { kind: 'sent', providerMessageId: sent.sid, from };
    } catch (error) {
      throw classifyTwilioError(error);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.httpClient.close();
  }
}
