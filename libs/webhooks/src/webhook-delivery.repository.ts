import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Keyset, Page, PageRequest } from '@app/core';

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** What one attempt to deliver is built from: the delivery, its event and its endpoint. */
export interface DeliveryWork {
  deliveryId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  endpointId: string;
  endpointEnabled: boolean;
  url: string;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
  eventId: string;
  eventType: string;
  accountId: string;
  sequence: string;
  data: unknown;
  eventCreatedAt: Date;
}

export interface WebhookAttempt {
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string | null;
  error: string | null;
}

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  sequence: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookAttempt[];
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const NEWEST_FIRST = new Keyset({
  sortKey: 'd.created_at',
  sortKeyType: 'timestamptz',
  id: 'd.id',
  idType: 'uuid',
  direction: 'DESC',
});

/** Every query on webhook_deliveries and webhook_attempts. */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findWork(deliveryId: string): Promise<DeliveryWork | null> {
    const rows = await this.dataSource.query(
      `SELECT d.id, d.status, d.attempts, e.id AS endpoint_id, e.enabled, e.url,
              e.secret_encrypted, e.previous_secret_encrypted, e.previous_secret_expires_at,
              v.id AS event_id, v.type, v.account_id, v.sequence, v.data, v.created_at
       FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id
       JOIN webhook_events v ON v.id = d.event_id
       WHERE d.id = $1`,
      [deliveryId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      deliveryId: row.id,
      status: row.status,
      attempts: row.attempts,
      endpointId: row.endpoint_id,
      endpointEnabled: row.enabled,
      url: row.url,
      secretEncrypted: row.secret_encrypted,
      previousSecretEncrypted: row.previous_secret_encrypted,
      previousSecretExpiresAt: row.previous_secret_expires_at,
      eventId: row.event_id,
      eventType: row.type,
      accountId: row.account_id,
      sequence: String(row.sequence),
      data: row.data,
      eventCreatedAt: row.created_at,
    };
  }

  /**
   * Logs an attempt and moves the delivery on, in one statement: to `status`, with the time of
   * the next attempt when it stays pending.
   */
  async recordAttempt(
    deliveryId: string,
    attempt: WebhookAttempt,
    status: WebhookDeliveryStatus,
    nextAttemptAt: Date | null,
  ): Promise<void> {
    await this.dataSource.query(
      `WITH logged AS (
         INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_body, error)
         VALUES ($1, $2, $3, $4, $5, $6)
       )
       UPDATE webhook_deliveries SET attempts = attempts + 1, status = $7,
              last_status_code = $3, last_attempt_at = $2, next_attempt_at = $8, updated_at = now()
       WHERE id = $1`,
      [
        deliveryId,
        attempt.attemptedAt,
        attempt.statusCode,
        attempt.latencyMs,
        attempt.responseBody,
        attempt.error,
        status,
        nextAttemptAt,
      ],
    );
  }

  /** Ends a delivery without an attempt (its endpoint was disabled or deleted meanwhile). */
  async fail(deliveryId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, updated_at = now()
       WHERE id = $1 AND status = 'pending'`,
      [deliveryId],
    );
  }

  /** Back to pending for a manual retry; false when it is not this endpoint's. */
  async reopen(endpointId: string, deliveryId: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
       WHERE id = $1 AND endpoint_id = $2`,
      [deliveryId, endpointId],
    );
    return affected > 0;
  }

  /** Pending deliveries older than a moment, by id (after `afterId`): the reconciler's rounds. */
  async findPending(settledAfterMs: number, limit: number, afterId?: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM webhook_deliveries
       WHERE status = 'pending'
         AND created_at < now() - make_interval(secs => $1::double precision / 1000)
         AND id > COALESCE($3::uuid, '00000000-0000-0000-0000-000000000000')
       ORDER BY id LIMIT $2`,
      [settledAfterMs, limit, afterId ?? null],
    );
    return rows.map((row) => row.id);
  }

  async listForEndpoint(
    endpointId: string,
    filter: { status?: string; eventType?: string },
    request: PageRequest,
  ): Promise<Page<WebhookDelivery>> {
    const params: unknown[] = [endpointId];
    const conditions = ['d.endpoint_id = $1'];
    if (filter.status) {
      params.push(filter.status);
      conditions.push(`d.status = $${params.length}`);
    }
    if (filter.eventType) {
      params.push(filter.eventType);
      conditions.push(`d.event_type = $${params.length}`);
    }
    const page = NEWEST_FIRST.sql(request, params);
    const rows = await this.dataSource.query(
      `SELECT d.id, d.event_id, d.event_type, v.sequence, d.status, d.next_attempt_at,
              d.created_at, d.updated_at,
              COALESCE((SELECT json_agg(json_build_object(
                  'attemptedAt', a.attempted_at, 'statusCode', a.status_code,
                  'latencyMs', a.latency_ms, 'responseBody', a.response_body, 'error', a.error)
                ORDER BY a.attempted_at)
               FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_log,
              ${page.positionColumns}
       FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
       WHERE ${conditions.join(' AND ')} AND ${page.after}
       ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return NEWEST_FIRST.page(rows, request, (row: Record<string, unknown>) => ({
      id: row.id as string,
      eventId: row.event_id as string,
      eventType: row.event_type as string,
      sequence: String(row.sequence),
      status: row.status as WebhookDeliveryStatus,
      attempts: (row.attempt_log as Array<Record<string, unknown>>).map((attempt) => ({
        attemptedAt: new Date(attempt.attemptedAt as string),
        statusCode: attempt.statusCode as number | null,
        latencyMs: attempt.latencyMs as number,
        responseBody: attempt.responseBody as string | null,
        error: attempt.error as string | null,
      })),
      nextAttemptAt: row.next_attempt_at as Date | null,
      createdAt: row.created_at as Date,
      updatedAt: row.updated_at as Date,
    }));
  }
}
