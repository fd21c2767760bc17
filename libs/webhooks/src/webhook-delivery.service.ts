import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig, Clock } from '@app/core';
import {
  DeliveryWork,
  WebhookAttempt,
  WebhookDeliveryRepository,
} from './webhook-delivery.repository';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { WebhookHttpClient, WebhookResponse } from './webhook-http-client';
import { WebhookOutbox } from './webhook-outbox';
import { WebhookSecretCipher } from './webhook-secret-cipher';
import { webhookSignature } from './webhook-signature';
import { WebhookEndpointView } from './webhook.dto';

export type DeliveryOutcome =
  | { kind: 'succeeded' | 'failed' | 'skipped' | 'disabled' }
  /** Try again in `delayMs` (a failed attempt with retries left, or the endpoint is busy). */
  | { kind: 'retry'; delayMs: number; attempted: boolean };

const DAY_MS = 86_400_000;
// A Retry-After further away than this is read as this: the schedule still ends in about 3 days.
const MAX_RETRY_AFTER_MS = DAY_MS;
// An endpoint already at its concurrency cap here: its next delivery waits about this long.
const BUSY_ENDPOINT_DELAY_MS = 250;
const JITTER = 0.2;

/**
 * One attempt of one delivery (README, Webhooks): sign, POST, log the attempt, decide what comes
 * next. 2xx is success; 410 disables the endpoint at once; anything else is retried on the
 * schedule (WEBHOOK_RETRY_SCHEDULE_MS, with jitter; Retry-After on 429 and 503 wins), and an
 * endpoint failing without a break for WEBHOOK_DISABLE_AFTER_DAYS is disabled.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);
  private readonly inFlightPerEndpoint = new Map<string, number>();
  private readonly schedule: number[];
  private readonly maxPerEndpoint: number;
  private readonly disableAfterMs: number;

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly http: WebhookHttpClient,
    private readonly cipher: WebhookSecretCipher,
    private readonly outbox: WebhookOutbox,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.schedule = config.get('WEBHOOK_RETRY_SCHEDULE_MS');
    this.maxPerEndpoint = config.get('WEBHOOK_MAX_CONCURRENCY_PER_ENDPOINT');
    this.disableAfterMs = config.get('WEBHOOK_DISABLE_AFTER_DAYS') * DAY_MS;
  }

  async deliver(deliveryId: string): Promise<DeliveryOutcome> {
    const work = await this.deliveries.findWork(deliveryId);
    if (!work || work.status !== 'pending') return { kind: 'skipped' };
    if (!work.endpointEnabled) {
      await this.deliveries.fail(deliveryId);
      return { kind: 'skipped' };
    }
    const inFlight = this.inFlightPerEndpoint.get(work.endpointId) ?? 0;
    if (inFlight >= this.maxPerEndpoint) {
      return { kind: 'retry', delayMs: withJitter(BUSY_ENDPOINT_DELAY_MS), attempted: false };
    }
    this.inFlightPerEndpoint.set(work.endpointId, inFlight + 1);
    try {
      return await this.attempt(work);
    } finally {
      const left = (this.inFlightPerEndpoint.get(work.endpointId) ?? 1) - 1;
      if (left > 0) this.inFlightPerEndpoint.set(work.endpointId, left);
      else this.inFlightPerEndpoint.delete(work.endpointId);
    }
  }

  private async attempt(work: DeliveryWork): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const body = JSON.stringify({
      id: work.eventId,
      type: work.eventType,
      createdAt: work.eventCreatedAt.toISOString(),
      accountId: work.accountId,
      sequence: Number(work.sequence),
      data: work.data,
    });
    // Real time, not the injectable clock: receivers compare it with their own clock.
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': work.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': webhookSignature(
        this.secretsOf(work, now),
        work.eventId,
        timestamp,
        body,
      ),
    };
    const started = performance.now();
    let response: WebhookResponse | null = null;
    let error: string | null = null;
    try {
      response = await this.http.post(work.url, headers, body);
    } catch (failure) {
      error = describe(failure);
    }
    const attempt: WebhookAttempt = {
      attemptedAt: now,
      statusCode: response?.statusCode ?? null,
      latencyMs: Math.round(performance.now() - started),
      responseBody: response?.body ?? null,
      error,
    };

    if (response && response.statusCode >= 200 && response.statusCode < 300) {
      await this.deliveries.recordAttempt(work.deliveryId, attempt, 'succeeded', null);
      await this.endpoints.markHealthy(work.endpointId);
      return { kind: 'succeeded' };
    }
    if (response?.statusCode === 410) {
      await this.deliveries.recordAttempt(work.deliveryId, attempt, 'failed', null);
      await this.disable(work, 'gone');
      return { kind: 'disabled' };
    }
    const failingSince = (await this.endpoints.markFailing(work.endpointId, now)) ?? now;
    if (now.getTime() - failingSince.getTime() >= this.disableAfterMs) {
      await this.deliveries.recordAttempt(work.deliveryId, attempt, 'failed', null);
      await this.disable(work, 'failing');
      return { kind: 'disabled' };
    }
    const attemptNumber = work.attempts + 1;
    if (attemptNumber > this.schedule.length) {
      await this.deliveries.recordAttempt(work.deliveryId, attempt, 'failed', null);
      return { kind: 'failed' };
    }
    const delayMs = this.delayAfter(attemptNumber, response);
    await this.deliveries.recordAttempt(
      work.deliveryId,
      attempt,
      'pending',
      new Date(now.getTime() + delayMs),
    );
    return { kind: 'retry', delayMs, attempted: true };
  }

  /** The current secret, and the previous one while its overlap after a rotation lasts. */
  private secretsOf(work: DeliveryWork, now: Date): string[] {
    const secrets = [this.cipher.decrypt(work.secretEncrypted)];
    if (
      work.previousSecretEncrypted &&
      work.previousSecretExpiresAt &&
      work.previousSecretExpiresAt > now
    ) {
      secrets.push(this.cipher.decrypt(work.previousSecretEncrypted));
    }
    return secrets;
  }

  private delayAfter(attemptNumber: number, response: WebhookResponse | null): number {
    if (response && (response.statusCode === 429 || response.statusCode === 503)) {
      const retryAfter = parseRetryAfter(response.retryAfter, Date.now());
      if (retryAfter !== null) return Math.min(retryAfter, MAX_RETRY_AFTER_MS);
    }
    return withJitter(this.schedule[attemptNumber - 1]);
  }

  /** Disables the endpoint and records a `webhook.disabled` event the account sees in the API. */
  private async disable(work: DeliveryWork, reason: 'gone' | 'failing'): Promise<void> {
    const at = this.clock.now();
    const deliveryIds = await this.dataSource.transaction(async (manager) => {
      const disabled = await this.endpoints.disable(manager, work.endpointId, reason, at);
      if (!disabled) return [];
      return this.outbox.appendEvents(manager, [
        {
          accountId: work.accountId,
          type: 'webhook.disabled',
          keepUnsubscribed: true,
          data: { reason, endpoint: WebhookEndpointView.from(disabled, at) },
        },
      ]);
    });
    await this.outbox.enqueue(deliveryIds);
    this.logger.warn({ endpointId: work.endpointId, reason }, 'Webhook endpoint disabled');
  }
}

function withJitter(ms: number): number {
  return Math.round(ms * (1 - JITTER + Math.random() * 2 * JITTER));
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

function describe(failure: unknown): string {
  const error = failure as Error & { code?: string; cause?: Error & { code?: string } };
  const cause = error.cause;
  const parts = [error.code, error.message, cause?.code, cause?.message].filter(Boolean);
  return parts.join(': ').slice(0, 500);
}
