import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Keyset, Page, PageRequest } from '@app/core';

/** An event about to be stored. */
export interface NewWebhookEvent {
  accountId: string;
  type: string;
  data: unknown;
  /** Stored even when no endpoint subscribes (a record the account reads in the API). */
  keepUnsubscribed?: boolean;
  /** Deliver to this endpoint only (a test event); otherwise to every subscribed endpoint. */
  endpointId?: string;
}

export interface WebhookEvent {
  id: string;
  accountId: string;
  type: string;
  sequence: string;
  data: unknown;
  createdAt: Date;
}

function eventFromRow(row: Record<string, unknown>): WebhookEvent {
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    type: row.type as string,
    sequence: String(row.sequence),
    data: row.data,
    createdAt: row.created_at as Date,
  };
}

const NEWEST_FIRST = new Keyset({
  sortKey: 'created_at',
  sortKeyType: 'timestamptz',
  id: 'id',
  idType: 'uuid',
  direction: 'DESC',
});

/**
 * The outbox: events, and their fan-out to one delivery per subscribed endpoint, in one
 * statement that runs in the caller's transaction (the one that makes the change reported).
 */
const APPEND = `WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::bool[], $5::uuid[])
      WITH ORDINALITY AS v(account_id, type, data, keep, endpoint_id, ordinality)
  ), targets AS (
    SELECT i.ordinality, e.id AS endpoint_id
    FROM input i
    JOIN webhook_endpoints e ON e.account_id = i.account_id AND e.enabled
      AND (e.id = i.endpoint_id OR (i.endpoint_id IS NULL AND i.type = ANY (e.events)))
  ), kept AS MATERIALIZED (
    SELECT i.*, gen_random_uuid() AS id
    FROM input i
    WHERE i.keep OR EXISTS (SELECT 1 FROM targets t WHERE t.ordinality = i.ordinality)
    ORDER BY i.ordinality
  ), events AS (
    INSERT INTO webhook_events (id, account_id, type, data)
    SELECT id, account_id, type, data FROM kept ORDER BY ordinality
  )
  INSERT INTO webhook_deliveries (event_id, endpoint_id, event_type)
  SELECT k.id, t.endpoint_id, k.type FROM kept k JOIN targets t ON t.ordinality = k.ordinality
  RETURNING id`;

@Injectable()
export class WebhookEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores the events that concern an endpoint; returns the ids of the deliveries it made. */
  async append(manager: EntityManager, events: NewWebhookEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    const rows: Array<{ id: string }> = await manager.query(APPEND, [
      events.map((event) => event.accountId),
      events.map((event) => event.type),
      events.map((event) => JSON.stringify(event.data)),
      events.map((event) => event.keepUnsubscribed ?? false),
      events.map((event) => event.endpointId ?? null),
    ]);
    return rows.map((row) => row.id);
  }

  /**
   * Re-sends an account's events of a window to one endpoint: those it subscribes to now, and those
   * it was sent before (a test event).
   */
  async replay(endpointId: string, since: Date, until: Date): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO webhook_deliveries (event_id, endpoint_id, event_type)
       SELECT v.id, e.id, v.type FROM webhook_events v
       JOIN webhook_endpoints e ON e.id = $1 AND e.account_id = v.account_id
         AND (v.type = ANY (e.events) OR EXISTS (
           SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id AND d.endpoint_id = e.id))
       WHERE v.created_at >= $2 AND v.created_at < $3
       ORDER BY v.sequence
       RETURNING id`,
      [endpointId, since, until],
    );
    return rows.map((row) => row.id);
  }

  async listOwned(
    accountId: string,
    type: string | undefined,
    request: PageRequest,
  ): Promise<Page<WebhookEvent>> {
    const params: unknown[] = [accountId];
    let condition = '';
    if (type) {
      params.push(type);
      condition = ` AND type = $${params.length}`;
    }
    const page = NEWEST_FIRST.sql(request, params);
    const rows = await this.dataSource.query(
      `SELECT id, account_id, type, sequence, data, created_at, ${page.positionColumns}
       FROM webhook_events WHERE account_id = $1${condition} AND ${page.after}
       ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return NEWEST_FIRST.page(rows, request, eventFromRow);
  }

  /** Events older than `before` with no pending delivery; their deliveries and attempts go too. */
  async purgeOlderThan(before: Date): Promise<number> {
    const [, deleted] = await this.dataSource.query(
      `DELETE FROM webhook_events v WHERE v.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d
                         WHERE d.event_id = v.id AND d.status = 'pending')`,
      [before],
    );
    return deleted as number;
  }
}
