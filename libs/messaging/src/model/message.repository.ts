import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import {
  Keyset,
  MicroBatcher,
  Page,
  PageRequest,
  PreparedStatement,
  PreparedStatements,
  inRounds,
  isUuid,
} from '@app/core';
import { Message } from './message.entity';
import { REQUEST_PROGRESS_SQL, RequestProgress } from './request-progress';
import { MessageChangeHooks } from './message-change-hooks';

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
  /** See Message.requestedSimNumber; null unless said otherwise. */
  requestedSimNumber?: number | null;
  sensitive: boolean;
  /** See Message.sealedBody. */
  sealedBody?: string | null;
  /** See Message.senderFromBinding; false unless said otherwise. */
  senderFromBinding?: boolean;
  sessionId: string | null;
  /** See Message.externalId; null unless said otherwise. */
  externalId?: string | null;
  /** Set for group chat traffic (welcomes, relays); such messages stay out of 1:1 conversations. */
  groupId?: string | null;
  scheduledAt: Date | null;
  expiresAt: Date | null;
}

export interface RequestListFilter {
  since?: Date;
  until?: Date;
  deviceId?: string;
  progress?: RequestProgress;
}

export interface MessageListFilter {
  status?: MessageStatus;
  direction?: MessageDirection;
  peer?: string;
  sessionId?: string;
  deviceId?: string;
  since?: Date;
  until?: Date;
  /** Leave out group chat traffic (1:1 conversations). */
  withoutGroupTraffic?: boolean;
}

/** The stored columns of a draft, with the PostgreSQL type of the array each is sent in. */
const DRAFT_COLUMNS: Array<[keyof MessageDraft, string, string]> = [
  ['accountId', 'account_id', 'uuid'],
  ['direction', 'direction', 'text'],
  ['fromNumber', 'from_number', 'text'],
  ['toNumber', 'to_number', 'text'],
  ['peer', 'peer', 'text'],
  ['body', 'body', 'text'],
  ['encoding', 'encoding', 'text'],
  ['segments', 'segments', 'int4'],
  ['status', 'status', 'text'],
  ['routeRequested', 'route_requested', 'text'],
  ['requestedDeviceId', 'requested_device_id', 'uuid'],
  ['requestedSimNumber', 'requested_sim_number', 'int2'],
  ['sensitive', 'sensitive', 'bool'],
  ['sealedBody', 'sealed_body', 'text'],
  ['senderFromBinding', 'sender_from_binding', 'bool'],
  ['sessionId', 'session_id', 'text'],
  ['externalId', 'external_id', 'text'],
  ['groupId', 'group_id', 'uuid'],
  ['scheduledAt', 'scheduled_at', 'timestamptz'],
  ['expiresAt', 'expires_at', 'timestamptz'],
];

/** What an optional draft field stores when the draft leaves it out (NOT NULL columns). */
const DRAFT_DEFAULTS: Partial<Record<keyof MessageDraft, unknown>> = { senderFromBinding: false };

/**
 * The columns a Message is read from: the entity's (all of the table's but `inbound_key`, the
 * inbound dedup key). Prepared statements list them instead of `RETURNING *`, which breaks when a
 * migration adds a column while this process runs (see PreparedStatements).
 */
export function messageColumns(dataSource: DataSource): string[] {
  return dataSource.getMetadata(Message).columns.map((column) => column.databaseName);
}

/**
 * Who may report on a message: its route (a message not routed yet may still be reported on by
 * any) and, once the provider named it, the provider's id for it.
 */
export interface ProviderCarrier {
  route: string;
  providerMessageId?: string;
}

/** The condition `transition` applies in SQL with `carriedBy`, for a message already read. */
export function isCarriedBy(message: Message, carrier: ProviderCarrier): boolean {
  return (
    (message.route === null || message.route === carrier.route) &&
    (!carrier.providerMessageId ||
      message.providerMessageId === null ||
      message.providerMessageId === carrier.providerMessageId)
  );
}

/**
 * An `Idempotency-Key` taken by the statement that stores its request's messages, with the answer
 * to replay: both commit together or not at all.
 */
export interface IdempotencyKeyClaim {
  accountId: string;
  key: string;
  requestHash: string;
  status: number;
  /** The answer's body, as JSON. */
  body: string;
  /** A key stored longer ago than this is free again. */
  retentionHours: number;
}

/** A key that was already taken: what its request committed. */
export interface HeldIdempotencyKey {
  requestHash: string;
  status: number;
  body: unknown;
  /** When its request committed (the creation time of its messages). */
  createdAt: Date;
}

export type KeyedInsert =
  | { claimed: true; messages: Message[] }
  | { claimed: false; held: HeldIdempotencyKey };

/** The INSERT of drafts sent as one array per column, after the message ids ($1). */
function insertDraftsSql(): string {
  return `INSERT INTO messages (id, ${DRAFT_COLUMNS.map(([, column]) => column).join(', ')})
    SELECT * FROM unnest($1::uuid[], ${DRAFT_COLUMNS.map(([, , type], index) => `$${index + 2}::${type}[]`).join(', ')})`;
}

/**
 * The insert with an idempotency key: the key's row and the messages in one statement, so one
 * commit (a crash leaves both or neither). The key is taken when it is new, or older than its
 * retention; else nothing is inserted and the statement returns what the key holds. On a key
 * that a concurrent request has just written, PostgreSQL waits for that request's commit (or
 * rollback) before deciding, so a concurrent duplicate gets the committed answer. A held key is
 * "updated" to itself: that is what lets the statement return it, committed after its snapshot.
 */
function insertDraftsClaimingKeySql(): string {
  const [account, key, hash, status, body, retention] = [0, 1, 2, 3, 4, 5].map(
    (offset) => `$${DRAFT_COLUMNS.length + 2 + offset}`,
  );
  const expired = `k.created_at < now() - make_interval(hours => ${retention}::int)`;
  const takeOver = (column: string) =>
    `${column} = CASE WHEN ${expired} THEN excluded.${column} ELSE k.${column} END`;
  return `WITH claim AS (
    INSERT INTO idempotency_keys AS k
      (account_id, key, request_hash, response_status, response_body, created_at)
    VALUES (${account}::uuid, ${key}::text, ${hash}::text, ${status}::int, ${body}::jsonb, now())
    ON CONFLICT (account_id, key) DO UPDATE SET
      ${['request_hash', 'response_status', 'response_body', 'created_at'].map(takeOver).join(',\n      ')}
    RETURNING k.created_at = now() AS claimed, k.request_hash, k.response_status, k.response_body,
      k.created_at
  ), inserted AS (
    ${insertDraftsSql()}
    WHERE (SELECT claimed FROM claim)
  )
  SELECT claimed, created_at,
    CASE WHEN claimed THEN NULL ELSE request_hash END AS request_hash,
    CASE WHEN claimed THEN NULL ELSE response_status END AS response_status,
    CASE WHEN claimed THEN NULL ELSE response_body END AS response_body
  FROM claim`;
}

/** The hot statements; the updates return `columns` (see messageColumns). Their text never changes. */
function hotStatements(columns: string[]) {
  const returningOfM = columns.map((column) => `m.${column}`).join(', ');
  return {
    /**
     * One INSERT for any number of rows, each column sent as one array parameter: PostgreSQL
     * parses 17 arrays much faster than a VALUES list of 17 parameters per row (a quarter of its
     * CPU per row in a batch of 1,000), and no row count can reach the 65,535-parameter limit.
     */
    insertDrafts: {
      name: 'messages_insert_drafts',
      // Only the moment of the insert comes back (every other column is the draft's or a
      // default: see messageFromDraft): reading 1,000 rows back was a twelfth of the API's CPU
      // per message in a batch. now() is the transaction's start, what the defaults stored. (A
      // data-modifying WITH runs to completion whether or not the query reads it.)
      text: `WITH inserted AS (
    ${insertDraftsSql()}
  )
  SELECT now() AS created_at`,
    },
    /** The same insert under an idempotency key (see insertDraftsClaimingKeySql). */
    insertDraftsClaimingKey: {
      name: 'messages_insert_drafts_claiming_key',
      text: insertDraftsClaimingKeySql(),
    },
    /** Takes messages for a dispatch attempt; the opt-out lookup rides along (no extra round trip). */
    claimForDispatch: {
      name: 'messages_claim_for_dispatch',
      text: `UPDATE messages m
  SET status = 'sending', attempts = attempts + 1, updated_at = now(),
      sending_at = COALESCE(sending_at, now())
  WHERE id = ANY($1::uuid[]) AND status = ANY($2::text[])
    AND (expires_at IS NULL OR expires_at > now())
  RETURNING ${returningOfM}, EXISTS (SELECT 1 FROM opt_outs o
                         WHERE o.account_id = m.account_id AND o.phone = m.to_number)
                 AS recipient_opted_out`,
    },
    /**
     * The provider took these messages: who carried each, and `sent` unless a fast status
     * callback already moved it further. A sealed body (a sign-in code) ends its life here.
     */
    recordSent: {
      name: 'messages_record_sent',
      text: `UPDATE messages m
  SET route = v.route, from_number = COALESCE(v.from_number, m.from_number),
      provider_message_id = COALESCE(m.provider_message_id, v.provider_message_id),
      device_id = COALESCE(v.device_id, m.device_id),
      status = CASE WHEN m.status = ANY($1::text[]) THEN 'sent' ELSE m.status END,
      sent_at = COALESCE(m.sent_at, now()), updated_at = now(),
      error_code = NULL, error_message = NULL, sealed_body = NULL
  FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[])
    AS v(id, route, from_number, provider_message_id, device_id)
  WHERE m.id = v.id
  RETURNING ${returningOfM}`,
    },
  } satisfies Record<string, PreparedStatement>;
}

// Column name → property name, computed once per column: every row of every hot path goes
// through messageFromRow, and a regex per column per row was a tenth of a batch's CPU.
const PROPERTY_OF_COLUMN = new Map<string, string>();

function camelCase(column: string): string {
  let property = PROPERTY_OF_COLUMN.get(column);
  if (property === undefined) {
    property = column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    PROPERTY_OF_COLUMN.set(column, property);
  }
  return property;
}

/** A message taken for a dispatch attempt. */
export interface DispatchClaim {
  message: Message;
  /** The recipient texted STOP to the message's account. */
  recipientOptedOut: boolean;
}

interface SentRecord {
  messageId: string;
  /** Known to the dispatcher: lets a batch of accounts without change hooks skip the transaction. */
  accountId?: string | null;
  route: string;
  from: string | null;
  providerMessageId: string | null;
  deviceId?: string | null;
}

/**
 * The message PostgreSQL stores for a draft inserted at `createdAt`: the draft's columns and the
 * table's defaults for the others (no trigger sets any). A column added with a default must be
 * added here too; an e2e test compares what this builds with the row read back.
 */
export function messageFromDraft(id: string, draft: MessageDraft, createdAt: Date): Message {
  const stored: Message = {
    id,
    accountId: draft.accountId,
    direction: draft.direction,
    fromNumber: draft.fromNumber,
    toNumber: draft.toNumber,
    peer: draft.peer,
    body: draft.body,
    encoding: draft.encoding,
    segments: draft.segments,
    status: draft.status,
    routeRequested: draft.routeRequested,
    route: null,
    requestedDeviceId: draft.requestedDeviceId,
    deviceId: null,
    requestedSimNumber: draft.requestedSimNumber ?? null,
    simNumber: null,
    providerMessageId: null,
    errorCode: null,
    errorMessage: null,
    attempts: 0,
    sensitive: draft.sensitive,
    sealedBody: draft.sealedBody ?? null,
    senderFromBinding: draft.senderFromBinding ?? false,
    sessionId: draft.sessionId,
    externalId: draft.externalId ?? null,
    groupId: draft.groupId ?? null,
    scheduledAt: draft.scheduledAt,
    expiresAt: draft.expiresAt,
    createdAt,
    updatedAt: createdAt,
    sendingAt: null,
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    canceledAt: null,
    expiredAt: null,
  };
  return Object.assign(new Message(), stored);
}

/** A `RETURNING *` row (snake_case) as a Message. */
export function messageFromRow(row: Record<string, unknown>): Message {
  const message = new Message() as unknown as Record<string, unknown>;
  for (const column in row) message[camelCase(column)] = row[column];
  return message as unknown as Message;
}

const NEWEST_FIRST = new Keyset({
  sortKey: 'created_at',
  sortKeyType: 'timestamptz',
  id: 'id',
  idType: 'uuid',
  direction: 'DESC',
});

const LATEST_PER_PEER = new Keyset({
  sortKey: 'last.created_at',
  sortKeyType: 'timestamptz',
  id: 'last.peer',
  idType: 'text',
  direction: 'DESC',
});

// Rows per coalesced INSERT: bounds one statement's size when many requests arrive at once.
const MAX_COALESCED_INSERT_ROWS = 2000;

/**
 * Every query on messages, named by intent. Hot paths (insert, claim, record) are single SQL
 * statements: no read-modify-write, no ORM change tracking. Concurrent calls of the hot paths
 * are coalesced into one statement per event-loop turn (see MicroBatcher): the API accepting
 * many single messages at once writes them with one INSERT, the worker claims and records the
 * messages of its concurrent jobs with one UPDATE each.
 */
@Injectable()
export class MessageRepository {
  private readonly inserts = new MicroBatcher<MessageDraft[], Message[]>(
    async (groups) => {
      const rows = await this.insertRows(groups.flat());
      let offset = 0;
      return groups.map((drafts) => rows.slice(offset, (offset += drafts.length)));
    },
    { weight: (drafts) => drafts.length, maxWeight: MAX_COALESCED_INSERT_ROWS },
  );
  private readonly claims = new MicroBatcher<string, DispatchClaim | null>((messageIds) =>
    inRounds(
      messageIds,
      (id) => id,
      (distinct) => this.claimRows(distinct),
    ),
  );
  private readonly sentRecords = new MicroBatcher<SentRecord, Message | null>((records) =>
    inRounds(
      records,
      (record) => record.messageId,
      (distinct) => this.recordSentRows(distinct),
    ),
  );

  private readonly statements: ReturnType<typeof hotStatements>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly prepared: PreparedStatements,
    private readonly changeHooks: MessageChangeHooks,
  ) {
    this.statements = hotStatements(messageColumns(dataSource));
  }

  /**
   * One multi-row INSERT for any number of drafts (the batch endpoint sends up to 1,000). With a
   * `manager` (a caller's transaction) the rows go through it, on their own; without, they share
   * a statement with the other inserts of the moment. Rows come back in the drafts' order.
   */
  async insertMany(drafts: MessageDraft[], manager?: EntityManager): Promise<Message[]> {
    if (drafts.length === 0) return [];
    if (manager) return this.insertRows(drafts, manager);
    return this.inserts.submit(drafts);
  }

  /**
   * Inserts the drafts only if this request takes its idempotency key, storing the answer under
   * the key in the same statement (on its own: never coalesced with other requests). `claimFor`
   * builds the claim from the new messages' ids. When the key is held, nothing is inserted and
   * what it holds comes back.
   */
  async insertManyClaimingKey(
    drafts: MessageDraft[],
    claimFor: (ids: string[]) => IdempotencyKeyClaim,
    manager?: EntityManager,
  ): Promise<KeyedInsert> {
    const ids: string[] = drafts.map(() => randomUUID());
    const claim = claimFor(ids);
    const values = [
      ...this.draftValues(ids, drafts),
      claim.accountId,
      claim.key,
      claim.requestHash,
      claim.status,
      claim.body,
      claim.retentionHours,
    ];
    const statement = this.statements.insertDraftsClaimingKey;
    const [row] = (
      manager
        ? await manager.query(statement.text, values)
        : await this.prepared.query(statement, values)
    ) as Array<{
      claimed: boolean;
      created_at: Date;
      request_hash: string | null;
      response_status: number | null;
      response_body: unknown;
    }>;
    if (!row.claimed) {
      return {
        claimed: false,
        held: {
          requestHash: row.request_hash!,
          status: row.response_status!,
          body: row.response_body,
          createdAt: row.created_at,
        },
      };
    }
    const messages = drafts.map((draft, index) =>
      messageFromDraft(ids[index], draft, row.created_at),
    );
    return { claimed: true, messages };
  }

  /** The statement parameters of drafts: their ids, then one array per column. */
  private draftValues(ids: string[], drafts: MessageDraft[]): unknown[] {
    return [
      ids,
      ...DRAFT_COLUMNS.map(([key]) =>
        drafts.map((draft) => draft[key] ?? DRAFT_DEFAULTS[key] ?? null),
      ),
    ];
  }

  private async insertRows(drafts: MessageDraft[], manager?: EntityManager): Promise<Message[]> {
    const ids: string[] = drafts.map(() => randomUUID());
    const values = this.draftValues(ids, drafts);
    // Inside a caller's transaction the statement must go through its connection, unprepared.
    const [{ created_at: createdAt }] = (
      manager
        ? await manager.query(this.statements.insertDrafts.text, values)
        : await this.prepared.query(this.statements.insertDrafts, values)
    ) as Array<{ created_at: Date }>;
    return drafts.map((draft, index) => messageFromDraft(ids[index], draft, createdAt));
  }

  async findOwned(accountId: string, messageId: string): Promise<Message | null> {
    const rows = await this.dataSource.query(
      'SELECT * FROM messages WHERE id = $1 AND account_id = $2',
      [messageId, accountId],
    );
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /** The account's messages among `messageIds` (unknown ids and other accounts' are left out). */
  async findManyOwned(accountId: string, messageIds: string[]): Promise<Message[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.dataSource.query(
      'SELECT * FROM messages WHERE id = ANY($1::uuid[]) AND account_id = $2',
      [messageIds, accountId],
    );
    return rows.map(messageFromRow);
  }

  async findById(messageId: string): Promise<Message | null> {
    const rows = await this.dataSource.query('SELECT * FROM messages WHERE id = $1', [messageId]);
    return rows[0] ? messageFromRow(rows[0]) : null;
  }

  /** Whether a message of the account carries this external id, or has it as its own id. */
  async externalIdTaken(accountId: string, externalId: string): Promise<boolean> {
    const [row]: Array<{ taken: boolean }> = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM messages WHERE account_id = $1 AND external_id = $2)
         OR EXISTS (SELECT 1 FROM messages WHERE id = $3::uuid AND account_id = $1) AS taken`,
      [accountId, externalId, isUuid(externalId) ? externalId : null],
    );
    return row.taken;
  }

  /**
   * The outbound messages of requests (see Message.externalId), oldest first: those carrying
   * each id as their external id, or the message with that id when it carries none (a message
   * sent through /api/v1 is a request of its own).
   */
  async findRequests(accountId: string, requestIds: readonly string[]): Promise<Message[]> {
    if (requestIds.length === 0) return [];
    const rows = await this.dataSource.query(
      `SELECT * FROM messages
       WHERE account_id = $1 AND direction = 'outbound' AND group_id IS NULL
         AND (external_id = ANY($2::text[]) OR (external_id IS NULL AND id = ANY($3::uuid[])))
       ORDER BY created_at, to_number, id`,
      [accountId, requestIds, requestIds.filter(isUuid)],
    );
    return rows.map(messageFromRow);
  }

  /**
   * A page of the account's requests (see findRequests) by when they were made, offset-paginated
   * as the client API that lists them is; `total` counts every request the filter matches.
   */
  async listRequests(
    accountId: string,
    filter: RequestListFilter,
    page: { limit: number; offset: number; oldestFirst: boolean },
  ): Promise<{ requestIds: string[]; total: number }> {
    const conditions = ['account_id = $1', "direction = 'outbound'", 'group_id IS NULL'];
    const params: unknown[] = [accountId];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      conditions.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.since) add('created_at >= ?', filter.since);
    if (filter.until) add('created_at < ?', filter.until);
    if (filter.deviceId) add('device_id = ?', filter.deviceId);
    let having = '';
    if (filter.progress) {
      params.push(filter.progress);
      having = `HAVING ${REQUEST_PROGRESS_SQL} = $${params.length}`;
    }
    params.push(page.limit, page.offset);
    const direction = page.oldestFirst ? 'ASC' : 'DESC';
    const [row]: Array<{ total: number; request_ids: string[] | null }> =
      await this.dataSource.query(
        `WITH requests AS (
           SELECT COALESCE(external_id, id::text) AS request_id, min(created_at) AS made_at
           FROM messages WHERE ${conditions.join(' AND ')}
           GROUP BY 1 ${having})
         SELECT (SELECT count(*)::int FROM requests) AS total,
           (SELECT array_agg(request_id ORDER BY made_at ${direction}, request_id ${direction})
            FROM (SELECT request_id, made_at FROM requests
                  ORDER BY made_at ${direction}, request_id ${direction}
                  LIMIT $${params.length - 1} OFFSET $${params.length}) shown) AS request_ids`,
        params,
      );
    return { requestIds: row.request_ids ?? [], total: row.total };
  }

  /** Newest first. */
  async listOwned(
    accountId: string,
    filter: MessageListFilter,
    request: PageRequest,
  ): Promise<Page<Message>> {
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
    if (filter.withoutGroupTraffic) conditions.push('group_id IS NULL');
    const page = NEWEST_FIRST.sql(request, params);
    const rows = await this.dataSource.query(
      `SELECT *, ${page.positionColumns} FROM messages
       WHERE ${conditions.join(' AND ')} AND ${page.after}
       ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return NEWEST_FIRST.page(rows, request, messageFromRow);
  }

  /** What members said to a group (by SMS or from the app) at or after `since`, newest first. */
  async listGroupTexts(
    groupId: string,
    since: string,
    request: PageRequest,
  ): Promise<Page<Message>> {
    const params: unknown[] = [groupId, since];
    const page = NEWEST_FIRST.sql(request, params);
    const rows = await this.dataSource.query(
      `SELECT *, ${page.positionColumns} FROM messages
       WHERE group_id = $1 AND direction = 'inbound' AND created_at >= $2::timestamptz
         AND ${page.after}
       ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return NEWEST_FIRST.page(rows, request, messageFromRow);
  }

  /** Marks an inbound text as group chat traffic, in the transaction that stores it. */
  async assignToGroup(manager: EntityManager, messageId: string, groupId: string): Promise<void> {
    await manager.query('UPDATE messages SET group_id = $1 WHERE id = $2', [groupId, messageId]);
  }

  /** The last message with each peer (group traffic aside), most recent first. */
  async listLatestPerPeer(accountId: string, request: PageRequest): Promise<Page<Message>> {
    const params: unknown[] = [accountId];
    const page = LATEST_PER_PEER.sql(request, params);
    const rows = await this.dataSource.query(
      `WITH last AS (
         SELECT DISTINCT ON (peer) * FROM messages
         WHERE account_id = $1 AND group_id IS NULL
         ORDER BY peer, created_at DESC, id DESC)
       SELECT last.*, ${page.positionColumns} FROM last
       WHERE ${page.after} ORDER BY ${page.orderBy} LIMIT ${page.limit}`,
      params,
    );
    return LATEST_PER_PEER.page(rows, request, messageFromRow);
  }

  /**
   * How many texts each peer sent (group traffic aside) after a moment (null: ever). Moments are
   * PostgreSQL's text of a timestamptz, so that their microseconds count.
   */
  async countReceivedAfter(
    accountId: string,
    since: ReadonlyArray<{ peer: string; after: string | null }>,
  ): Promise<Map<string, number>> {
    const rows: Array<{ peer: string; received: number }> = await this.dataSource.query(
      `SELECT v.peer,
         (SELECT count(*)::int FROM messages m
          WHERE m.account_id = $1 AND m.peer = v.peer AND m.direction = 'inbound'
            AND m.group_id IS NULL
            AND m.created_at > COALESCE(v.after, '-infinity')) AS received
       FROM unnest($2::text[], $3::timestamptz[]) AS v(peer, after)`,
      [accountId, since.map((entry) => entry.peer), since.map((entry) => entry.after)],
    );
    return new Map(rows.map((row) => [row.peer, row.received]));
  }

  /** The sessions whose messages went to or came from `peer`. */
  async findSessionsWithPeer(
    manager: EntityManager,
    accountId: string,
    peer: string,
  ): Promise<string[]> {
    const rows: Array<{ session_id: string }> = await manager.query(
      `SELECT DISTINCT session_id FROM messages
       WHERE account_id = $1 AND peer = $2 AND session_id IS NOT NULL`,
      [accountId, peer],
    );
    return rows.map((row) => row.session_id);
  }

  /**
   * Moves a message to `status` only from a status allowed to precede it; returns the updated
   * message, or null when the move would go backwards (or the message is not there).
   */
  async transition(
    messageId: string,
    status: MessageStatus,
    fields: {
      errorCode?: string | null;
      errorMessage?: string | null;
      accountId?: string;
      /** Only a message of this route (or none yet), carried under this provider id (if known). */
      carriedBy?: ProviderCarrier;
      /** Only from these statuses, instead of every status allowed to precede `status`. */
      from?: readonly MessageStatus[];
    } = {},
  ): Promise<Message | null> {
    const params: unknown[] = [messageId, status, fields.from ?? ALLOWED_PREDECESSORS[status]];
    const sets = ['status = $2', 'updated_at = now()'];
    const timestamp = STATUS_TIMESTAMP_COLUMN[status];
    if (timestamp) sets.push(`${timestamp} = COALESCE(${timestamp}, now())`);
    if (fields.errorCode !== undefined) {
      params.push(fields.errorCode, fields.errorMessage ?? null);
      sets.push(`error_code = $${params.length - 1}`, `error_message = $${params.length}`);
    }
    if (status !== MessageStatus.Sent && status !== MessageStatus.Delivered) {
      // A final failure (or expiry, or cancel) also ends the life of a sealed body.
      sets.push('sealed_body = NULL');
    }
    let conditions = '';
    if (fields.accountId) {
      params.push(fields.accountId);
      conditions += ` AND account_id = $${params.length}`;
    }
    if (fields.carriedBy) {
      params.push(fields.carriedBy.route);
      conditions += ` AND (route IS NULL OR route = $${params.length})`;
      if (fields.carriedBy.providerMessageId) {
        params.push(fields.carriedBy.providerMessageId);
        conditions += ` AND (provider_message_id IS NULL OR provider_message_id = $${params.length})`;
      }
    }
    const [changed] = await this.changeHooks.apply(
      this.dataSource,
      this.changeHooks.concerns(fields.accountId, status),
      async (manager) => {
        const [rows] = await (manager ?? this.dataSource).query(
          `UPDATE messages SET ${sets.join(', ')}
           WHERE id = $1 AND status = ANY($3)${conditions} RETURNING *`,
          params,
        );
        return rows.map(messageFromRow);
      },
    );
    return changed ?? null;
  }

  /**
   * Takes a message for a dispatch attempt: only while it is unfinished and not expired. One
   * statement, so two workers can never both believe they own a finished message.
   */
  claimForDispatch(messageId: string): Promise<DispatchClaim | null> {
    return this.claims.submit(messageId);
  }

  private async claimRows(messageIds: string[]): Promise<Map<string, DispatchClaim>> {
    const rows = await this.prepared.query(this.statements.claimForDispatch, [
      // Sorted: every statement locks its rows in the same order, so two never deadlock.
      [...messageIds].sort(),
      UNFINISHED_STATUSES,
    ]);
    return new Map(
      rows.map(({ recipient_opted_out: recipientOptedOut, ...row }) => [
        row.id as string,
        { message: messageFromRow(row), recipientOptedOut: Boolean(recipientOptedOut) },
      ]),
    );
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
      accountId?: string | null;
    },
  ): Promise<Message | null> {
    return this.sentRecords.submit({ messageId, ...carried });
  }

  private async recordSentRows(records: SentRecord[]): Promise<Map<string, Message>> {
    // Sorted: every statement locks its rows in the same order, so two never deadlock.
    const sorted = [...records].sort((a, b) => (a.messageId < b.messageId ? -1 : 1));
    const params = [
      ALLOWED_PREDECESSORS[MessageStatus.Sent],
      sorted.map((record) => record.messageId),
      sorted.map((record) => record.route),
      sorted.map((record) => record.from),
      sorted.map((record) => record.providerMessageId),
      sorted.map((record) => record.deviceId ?? null),
    ];
    const concerned = sorted.some((record) =>
      this.changeHooks.concerns(record.accountId, MessageStatus.Sent),
    );
    const messages = await this.changeHooks.apply(this.dataSource, concerned, async (manager) => {
      // Inside a transaction the statement goes through its connection, unprepared.
      const rows = manager
        ? ((await manager.query(this.statements.recordSent.text, params)) as [unknown[]])[0]
        : await this.prepared.query(this.statements.recordSent, params);
      return (rows as Record<string, unknown>[]).map(messageFromRow);
    });
    return new Map(messages.map((message) => [message.id, message]));
  }

  /** A phone took the message; its `result` frame will finish it. The status stays `sending`. */
  async recordHandedOff(
    messageId: string,
    route: string,
    deviceId: string,
    from: string | null,
    simNumber: number | null = null,
  ): Promise<Message | null> {
    const [rows] = await this.dataSource.query(
      `UPDATE messages SET route = $2, device_id = $3, from_number = COALESCE($4, from_number),
              sim_number = $5, updated_at = now()
       WHERE id = $1 AND status = 'sending' RETURNING *`,
      [messageId, route, deviceId, from, simNumber],
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

  /** Outbound messages not yet handed to a provider, counted by status. */
  async countUnfinishedByStatus(): Promise<Map<MessageStatus, number>> {
    const rows: Array<{ status: MessageStatus; count: number }> = await this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM messages
       WHERE status IN ('scheduled', 'queued', 'sending') GROUP BY status`,
    );
    return new Map(rows.map((row) => [row.status, row.count]));
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

  /**
   * A phone's report on a message it carries (a `result` frame): guarded like `transition` (only
   * from `fromStatuses`), and records the phone as the carrier. With `requireCarrier`, only the
   * phone already recorded as the carrier may report (a delivery report after `sent`).
   */
  async recordDeviceReport(report: {
    messageId: string;
    deviceId: string;
    status: MessageStatus;
    fromStatuses: readonly MessageStatus[];
    requireCarrier: boolean;
    from: string | null;
    errorCode: string | null;
    errorMessage: string | null;
  }): Promise<Message | null> {
    const sets = [
      'status = $2',
      "route = 'device'",
      'device_id = $3',
      'from_number = COALESCE($4, from_number)',
      'error_code = $5',
      'error_message = $6',
      'updated_at = now()',
      'sealed_body = NULL',
    ];
    const timestamp = STATUS_TIMESTAMP_COLUMN[report.status];
    if (timestamp) sets.push(`${timestamp} = COALESCE(${timestamp}, now())`);
    if (report.status === MessageStatus.Delivered) sets.push('sent_at = COALESCE(sent_at, now())');
    const params = [
      report.messageId,
      report.status,
      report.deviceId,
      report.from,
      report.errorCode,
      report.errorMessage,
      report.fromStatuses,
    ];
    const [changed] = await this.changeHooks.apply(
      this.dataSource,
      this.changeHooks.concerns(undefined, report.status),
      async (manager) => {
        const [rows] = await (manager ?? this.dataSource).query(
          `UPDATE messages SET ${sets.join(', ')}
           WHERE id = $1 AND status = ANY($7)${report.requireCarrier ? ' AND device_id = $3' : ''}
           RETURNING *`,
          params,
        );
        return rows.map(messageFromRow);
      },
    );
    return changed ?? null;
  }

  /**
   * Gives back the attempt a claim counted when the message could not go yet (its sender's pace,
   * no phone online): waiting is not trying, and the reconciler judges by attempts.
   */
  async returnAttempt(messageId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE messages SET attempts = greatest(attempts - 1, 0) WHERE id = $1 AND status = 'sending'`,
      [messageId],
    );
  }
}
