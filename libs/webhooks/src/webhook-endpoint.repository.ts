import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Keyset, Page, PageRequest } from '@app/core';

export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  secretEncrypted: string;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
  disabledReason: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, account_id, url, description, events, enabled, secret_encrypted,
  previous_secret_encrypted, previous_secret_expires_at, failing_since, disabled_reason,
  disabled_at, created_at, updated_at`;

const NEWEST_FIRST = new Keyset({
  sortKey: 'created_at',
  sortKeyType: 'timestamptz',
  id: 'id',
  idType: 'uuid',
  direction: 'DESC',
});

function endpointFromRow(row: Record<string, unknown>): WebhookEndpoint {
  return {
    id: row.id as string,
    accountId: row.account_id as string,
    url: row.url as string,
    description: row.description as string | null,
    events: row.events as string[],
    enabled: row.enabled as boolean,
    secretEncrypted: row.secret_encrypted as string,
    previousSecretEncrypted: row.previous_secret_encrypted as string | null,
    previousSecretExpiresAt: row.previous_secret_expires_at as Date | null,
    failingSince: row.failing_since as Date | null,
    disabledReason: row.disabled_reason as string | null,
    disabledAt: row.disabled_at as Date | null,
    createdAt: row.created_at as Date,
    updatedAt: row.updated_at as Date,
  };
}

export interface EndpointChanges {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

/** Every query on webhook_endpoints. */
@Injectable()
export class WebhookEndpointRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Inserts unless the account already has `maxPerAccount` endpoints; the count and the insert
   * are one statement under the account's advisory lock, so concurrent creations cannot pass it.
   */
  async createWithinLimit(
    endpoint: Pick<
      WebhookEndpoint,
      'accountId' | 'url' | 'description' | 'events' | 'secretEncrypted'
    >,
    maxPerAccount: number,
  ): Promise<WebhookEndpoint | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('webhook_endpoints:' || $1))`, [
        endpoint.accountId,
      ]);
      const rows: Record<string, unknown>[] = await manager.query(
        `INSERT INTO webhook_endpoints (account_id, url, description, events, secret_encrypted)
         SELECT $1, $2, $3, $4, $5
         WHERE (SELECT count(*) FROM webhook_endpoints WHERE account_id = $1) < $6
         RETURNING ${COLUMNS}`,
        [
          endpoint.accountId,
          endpoint.url,
          endpoint.description,
          endpoint.events,
          endpoint.secretEncrypted,
          maxPerAccount,
        ],
      );
      return rows[0] ? endpointFromRow(rows[0]) : null;
    });
  }

  async findOwned(accountId: string, id: string): Promise<WebhookEndpoint | null> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1 AND account_id = $2`,
      [id, accountId],
    );
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }

  async listOwned(accountId: string, request: PageRequest): Promise<Page<WebhookEndpoint>> {
    const params: unknown[] = [accountId];
    const page = NEWEST_FIRST.sql(request, params);
    const rows = await this.dataSource.query(
      `SELECT ${COLUMNS}, ${page.positionColumns} FROM webhook_endpoints
       WHERE account_id = $1 AND ${page.after} ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return NEWEST_FIRST.page(rows, request, endpointFromRow);
  }

  /** Re-enabling clears the failure record: the endpoint starts with a clean slate. */
  async update(
    accountId: string,
    id: string,
    changes: EndpointChanges,
  ): Promise<WebhookEndpoint | null> {
    const sets = ['updated_at = now()'];
    const params: unknown[] = [id, accountId];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (changes.url !== undefined) set('url', changes.url);
    if (changes.events !== undefined) set('events', changes.events);
    if (changes.description !== undefined) set('description', changes.description);
    if (changes.enabled !== undefined) {
      set('enabled', changes.enabled);
      if (changes.enabled) {
        sets.push('failing_since = NULL', 'disabled_reason = NULL', 'disabled_at = NULL');
      } else {
        sets.push(`disabled_reason = 'by_account'`, 'disabled_at = now()');
      }
    }
    const [rows] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE id = $1 AND account_id = $2
       RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const [, affected] = await this.dataSource.query(
      'DELETE FROM webhook_endpoints WHERE id = $1 AND account_id = $2',
      [id, accountId],
    );
    return affected > 0;
  }

  /** The new secret signs from now on; the current one goes on signing until `overlapEndsAt`. */
  async rotateSecret(
    accountId: string,
    id: string,
    secretEncrypted: string,
    overlapEndsAt: Date,
  ): Promise<WebhookEndpoint | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE webhook_endpoints
       SET previous_secret_encrypted = secret_encrypted, previous_secret_expires_at = $4,
           secret_encrypted = $3, updated_at = now()
       WHERE id = $1 AND account_id = $2 RETURNING ${COLUMNS}`,
      [id, accountId, secretEncrypted, overlapEndsAt],
    );
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }

  /** The accounts with at least one enabled endpoint, with the events they subscribe to. */
  async subscriptions(): Promise<Array<{ accountId: string; events: string[] }>> {
    const rows: Array<{ account_id: string; events: string[] }> = await this.dataSource.query(
      `SELECT account_id, array_agg(DISTINCT event) AS events
       FROM webhook_endpoints, unnest(events) AS event WHERE enabled GROUP BY account_id`,
    );
    return rows.map((row) => ({ accountId: row.account_id, events: row.events }));
  }

  /** A delivery succeeded: the endpoint is no longer failing. */
  async markHealthy(id: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL',
      [id],
    );
  }

  /** A delivery attempt failed at `at`; returns since when the endpoint has been failing. */
  async markFailing(id: string, at: Date): Promise<Date | null> {
    const [rows]: [Array<{ failing_since: Date }>] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $2)
       WHERE id = $1 RETURNING failing_since`,
      [id, at],
    );
    return rows[0]?.failing_since ?? null;
  }

  /** Disables an enabled endpoint; null when it already was. */
  async disable(
    manager: EntityManager,
    id: string,
    reason: string,
    at: Date,
  ): Promise<WebhookEndpoint | null> {
    const [rows]: [Record<string, unknown>[]] = await manager.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, disabled_at = $3,
              updated_at = now()
       WHERE id = $1 AND enabled RETURNING ${COLUMNS}`,
      [id, reason, at],
    );
    return rows[0] ? endpointFromRow(rows[0]) : null;
  }
}
