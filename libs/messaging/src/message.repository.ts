import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CursorPosition } from '@app/core';
import { Message } from './message.entity';
import {
  ALLOWED_PREDECESSORS,
  MessageDirection,
  MessageStatus,
  RequestedRoute,
  STATUS_TIMESTAMP_COLUMN,
  UNFINISHED_STATUSES,
} from './message-status';

/** A message about to be stored: everything the caller decided, nothing the database fills in. */
export interface MessageDraft {
  accountId: string | null;
  direction: MessageDirection;
  fromNumber: string | null;
  toNumber: string;
  peer: string;
  body: string;
  encoding: string;
  segments: number;
  status: MessageStatus;
  routeRequested: RequestedRoute;
  requestedDeviceId: string | null;
  sensitive: boolean;
  sessionId: string | null;
  scheduledAt: Date | null;
  expiresAt: Date | null;
}

export interface MessageListFilter {
  status?: MessageStatus;
  direction?: MessageDirection;
  peer?: string;
  sessionId?: string;
  deviceId?: string;
  since?: Date;
  until?: Date;
}

const DRAFT_COLUMNS: Array<[keyof MessageDraft, string]> = [
  ['accountId', 'account_id'],
  ['direction', 'direction'],
  ['fromNumber', 'from_number'],
  ['toNumber', 'to_number'],
  ['peer', 'peer'],
  ['body', 'body'],
  ['encoding', 'encoding'],
  ['segments', 'segments'],
  ['status', 'status'],
  ['routeRequested', 'route_requested'],
  ['requestedDeviceId', 'requested_device_id'],
  ['sensitive', 'sensitive'],
  ['sessionId', 'session_id'],
  ['scheduledAt', 'scheduled_at'],
  ['expiresAt', 'expires_at'],
];

const SCRUBBED_BODY = '[redacted]';

function camelCase(column: string): string {
  return column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** A `RETURNING *` row (snake_case) as a Message. */
export function messageFromRow(row: Record<string, unknown>): Message {
  const message = new Message();
  for (const [column, value] of Object.entries(row)) {
    (message as unknown as Record<string, unknown>)[camelCase(column)] = value;
  }
  return message;
}

/**
 * Every query on messages, named by intent. Hot paths (insert, claim, record) are single SQL
 * statements: no read-modify-write, no ORM change tracking.
 */
@Injectable()
export class MessageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One multi-row INSERT for any number of drafts (the batch endpoint sends up to 1,000). */
  async insertMany(drafts: MessageDraft[], manager?: EntityManager): Promise<Message[]> {
    if (drafts.length === 0) return [];
    const params: unknown[] = [];
    const tuples = drafts.map((draft) => {
      const placeholders = DRAFT_COLUMNS.map(([key]) => {
        params.push(draft[key]);
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    const rows: Record<string, unknown>[] = await (manager ?? this.dataSource).query(
      `INSERT INTO messages (${DRAFT_COLUMNS.map(([, column]) => column).join(', ')})
       VALUES ${tuples.join(', ')} RETURNING *`,
      params,
    );
    return rows.map(messageFromRow);
  }

  async findOwned(accountId: string, messageId: string): Promise<Message | null> {
    const rows = await this.dataSource.query(
      'SELECT * FROM messages WHERE id = $1 AND account_id = $2',
      [messageId, accountId],
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  async findById(messageId: string): Promise<Message | null> {
    const rows = await this.dataSource.query('SELECT * FROM messages WHERE id = $1', [messageId]);
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /** Newest first, keyset-paginated on (created_at, id); fetches `limit + 1` to know if more exist. */
  async listOwned(
    accountId: string,
    filter: MessageListFilter,
    limit: number,
    after?: CursorPosition,
  ): Promise<Message[]> {
    const conditions = ['account_id = $1'];
    const params: unknown[] = [accountId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.status) add('status = ?', filter.status);
    if (filter.direction) add('direction = ?', filter.direction);
    if (filter.peer) add('peer = ?', filter.peer);
    if (filter.sessionId) add('session_id = ?', filter.sessionId);
    if (filter.deviceId) add('device_id = ?', filter.deviceId);
    if (filter.since) add('created_at >= ?', filter.since);
    if (filter.until) add('created_at < ?', filter.until);
    if (after) {
      params.push(after.sortKey, after.id);
      conditions.push(
        `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows = await this.dataSource.query(
      `SELECT * FROM messages WHERE ${conditions.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(messageFromRow);
  }

  /**
   * Moves a message to `status` only from a status allowed to precede it; returns the updated
   * message, or null when the move would go backwards (or the message is not there).
   */
  async transition(
    messageId: string,
    status: MessageStatus,
    fields: { errorCode?: string | null; errorMessage?: string | null; accountId?: string } = {},
  ): Promise<Message | null> {
    const params: unknown[] = [messageId, status, ALLOWED_PREDECESSORS[status]];
    const sets = ['status = $2', 'updated_at = now()'];
    const timestamp = STATUS_TIMESTAMP_COLUMN[status];
    if (timestamp) sets.push(`${timestamp} = COALESCE(${timestamp}, now())`);
    if (fields.errorCode !== undefined) {
      params.push(fields.errorCode, fields.errorMessage ?? null);
      sets.push(`error_code = $${params.length - 1}`, `error_message = $${params.length}`);
    }
    if (status !== MessageStatus.Sent && status !== MessageStatus.Delivered) {
      // A final failure also ends the life of a sensitive body.
      sets.push(`body = CASE WHEN sensitive THEN '${SCRUBBED_BODY}' ELSE body END`);
    }
    let accountCondition = '';
    if (fields.accountId) {
      params.push(fields.accountId);
      accountCondition = ` AND account_id = $${params.length}`;
    }
    const [rows] = await this.dataSource.query(
      `UPDATE messages SET ${sets.join(', ')}
       WHERE id = $1 AND status = ANY($3)${accountCondition} RETURNING *`,
      params,
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /**
   * Takes a message for a dispatch attempt: only while it is unfinished and not expired. One
   * statement, so two workers can never both believe they own a finished message.
   */
  async claimForDispatch(
    messageId: string,
  ): Promise<{ message: Message; recipientOptedOut: boolean } | null> {
    // The opt-out lookup rides along in the same statement: no extra round trip per message.
    const [rows] = await this.dataSource.query(
      `UPDATE messages m
       SET status = 'sending', attempts = attempts + 1, updated_at = now(),
           sending_at = COALESCE(sending_at, now())
       WHERE id = $1 AND status = ANY($2) AND (expires_at IS NULL OR expires_at > now())
       RETURNING m.*, EXISTS (SELECT 1 FROM opt_outs o
                              WHERE o.account_id = m.account_id AND o.phone = m.to_number)
                      AS recipient_opted_out`,
      [messageId, UNFINISHED_STATUSES],
    );
    if (!rows[0]) return null;
    const { recipient_opted_out: recipientOptedOut, ...row } = rows[0];
    return { message: messageFromRow(row), recipientOptedOut: Boolean(recipientOptedOut) };
  }

  /**
   * The provider accepted the message. Stores who carried it even if a fast status callback
   * already moved it further (then the status is left as it is).
   */
  async recordSent(
    messageId: string,
    carried: {
      route: string;
      from: string | null;
      providerMessageId: string | null;
      deviceId?: string | null;
    },
  ): Promise<Message | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE messages
       SET route = $2, from_number = COALESCE($3, from_number),
           provider_message_id = COALESCE(provider_message_id, $4),
           device_id = COALESCE($5, device_id),
           status = CASE WHEN status = ANY($6) THEN 'sent' ELSE status END,
           sent_at = COALESCE(sent_at, now()), updated_at = now(),
           error_code = NULL, error_message = NULL,
           body = CASE WHEN sensitive THEN '${SCRUBBED_BODY}' ELSE body END
       WHERE id = $1 RETURNING *`,
      [
        messageId,
        carried.route,
        carried.from,
        carried.providerMessageId,
        carried.deviceId ?? null,
        ALLOWED_PREDECESSORS[MessageStatus.Sent],
      ],
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /** A phone took the message; its `result` frame will finish it. The status stays `sending`. */
  async recordHandedOff(
    messageId: string,
    route: string,
    deviceId: string,
    from: string | null,
  ): Promise<Message | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE messages SET route = $2, device_id = $3, from_number = COALESCE($4, from_number),
              updated_at = now()
       WHERE id = $1 AND status = 'sending' RETURNING *`,
      [messageId, route, deviceId, from],
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /** A transient failure: remembered for the caller to see while the worker tries again. */
  async recordAttemptError(messageId: string, code: string, detail: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE messages SET error_code = $2, error_message = $3, updated_at = now()
       WHERE id = $1 AND status = 'sending'`,
      [messageId, code, detail],
    );
  }

  /** Messages the reconciler must look at: unfinished, older than `settledAfterMs`. */
  async findUnfinished(settledAfterMs: number, limit: number): Promise<Message[]> {
    const rows = await this.dataSource.query(
      `SELECT * FROM messages
       WHERE status = ANY($1) AND created_at < now() - make_interval(secs => $2::double precision / 1000)
         AND (status <> 'scheduled' OR scheduled_at <= now())
       ORDER BY created_at LIMIT $3`,
      [UNFINISHED_STATUSES, settledAfterMs, limit],
    );
    return rows.map(messageFromRow);
  }
}
