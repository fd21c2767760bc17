import { isIP } from 'node:net';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';
import { AppConfig } from '@app/core';
import { ForbiddenAddressError, isPublicAddress, publicOnlyLookup } from './webhook-address-policy';

/** The first bytes of a response body kept in the delivery log. */
export const LOGGED_BODY_BYTES = 2048;

export interface WebhookResponse {
  statusCode: number;
  /** The first LOGGED_BODY_BYTES of the body; the rest is never read. */
  body: string;
  retryAfter: string | null;
}

/**
 * POSTs webhooks: undici with keep-alive, redirects never followed (a 3xx is a failed attempt),
 * a timeout for the whole exchange, bodies read up to a cap. Without
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS, every connection resolves its host through publicOnlyLookup, so
 * the address checked is the address connected to.
 */
@Injectable()
export class WebhookHttpClient implements OnModuleDestroy {
  private readonly agent: Agent;
  private readonly allowPrivateNetworks: boolean;
  private readonly timeoutMs: number;

  constructor(config: AppConfig) {
    this.allowPrivateNetworks = config.get('WEBHOOK_ALLOW_PRIVATE_NETWORKS');
    this.timeoutMs = config.get('WEBHOOK_TIMEOUT_MS');
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connections: config.get('WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT'),
      connect: this.allowPrivateNetworks ? {} : { lookup: publicOnlyLookup },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }

  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // A literal address never goes through the lookup: it is checked here.
    if (!this.allowPrivateNetworks && isIP(host) && !isPublicAddress(host)) {
      throw new ForbiddenAddressError(host);
    }
    const response = await request(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Switchboard-Webhooks/1',
        ...headers,
      },
      body,
      dispatcher: this.agent,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const chunks: Buffer[] = [];
    let length = 0;
    try {
      for await (const chunk of response.body) {
        chunks.push(chunk as Buffer);
        length += (chunk as Buffer).length;
        if (length >= LOGGED_BODY_BYTES) break;
      }
    } finally {
      // Breaking out of the loop destroys the stream: a huge body is never downloaded.
      if (!response.body.destroyed) response.body.destroy();
    }
    const retryAfter = response.headers['retry-after'];
    return {
      statusCode: response.statusCode,
      body: Buffer.concat(chunks).subarray(0, LOGGED_BODY_BYTES).toString('utf8'),
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : (retryAfter ?? null),
    };
  }
}
