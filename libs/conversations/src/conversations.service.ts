import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NotFoundAppException, Page, PaginationQueryDto, requireE164, Keyset } from '@app/core';
import { IdempotentResult, MessagesService, messageFromRow } from '@app/messaging';
import { ConversationMessageView, ConversationView } from './conversation.views';

const MOST_RECENT_FIRST = new Keyset({
  sortKey: 'last.created_at',
  sortKeyType: 'timestamptz',
  id: 'last.peer',
  idType: 'text',
  direction: 'DESC',
});

/**
 * 1:1 conversations (seeds 001 and 003): every message of an account grouped by the other
 * party's phone, in both directions.
 */
@Injectable()
export class ConversationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly messages: MessagesService,
  ) {}

  /** Threads, most recently active first, each with its last message and unread count. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<ConversationView>> {
    const params: unknown[] = [accountId];
    const page = MOST_RECENT_FIRST.sql(query, params);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `WITH last AS (
         SELECT DISTINCT ON (peer) * FROM messages
         WHERE account_id = $1 AND group_id IS NULL
         ORDER BY peer, created_at DESC, id DESC)
       SELECT last.*, ${page.positionColumns}, contact.name AS contact_name,
         (SELECT count(*)::int FROM messages unread
          WHERE unread.account_id = $1 AND unread.peer = last.peer AND unread.direction = 'inbound'
            AND unread.group_id IS NULL
            AND unread.created_at > COALESCE(seen.last_read_at, '-infinity')) AS unread_count
       FROM last
       LEFT JOIN conversation_reads seen ON seen.account_id = $1 AND seen.peer = last.peer
       LEFT JOIN contacts contact ON contact.account_id = $1 AND contact.phone = last.peer
       WHERE ${page.after}
       ORDER BY ${page.orderBy}
       LIMIT ${page.limit}`,
      params,
    );
    return MOST_RECENT_FIRST.page(rows, query, (row) => {
      const { contact_name: contactName, unread_count: unreadCount, ...messageRow } = row;
      const lastMessage = ConversationMessageView.fromMessage(messageFromRow(messageRow));
      return {
        peer: row.peer as string,
        contactName: (contactName as string | null) ?? null,
        unreadCount: unreadCount as number,
        lastActivityAt: lastMessage.createdAt,
        lastMessage,
      };
    });
  }

  async messagesWith(
    accountId: string,
    phone: string,
    query: PaginationQueryDto,
  ): Promise<Page<ConversationMessageView>> {
    const peer = requireE164(phone, 'phone');
    const page = await this.messages.list(
      accountId,
      { ...query, peer },
      { withoutGroupTraffic: true },
    );
    if (page.data.length === 0 && !query.cursor) {
      throw new NotFoundAppException('CONVERSATION_NOT_FOUND', `No conversation with ${peer}.`);
    }
    return { data: page.data.map(ConversationMessageView.fromView), nextCursor: page.nextCursor };
  }

  /** The same path as POST /messages: stored, queued, sticky sender, opt-out respected. */
  async send(
    accountId: string,
    phone: string,
    body: string,
    idempotencyKey?: string,
  ): Promise<IdempotentResult> {
    const to = requireE164(phone, 'phone');
    const result = await this.messages.send(accountId, { to, body }, { idempotencyKey });
    return { ...result, body: ConversationMessageView.fromView(result.body as never) };
  }

  async markRead(accountId: string, phone: string): Promise<void> {
    const peer = requireE164(phone, 'phone');
    await this.dataSource.query(
      `INSERT INTO conversation_reads (account_id, peer, last_read_at) VALUES ($1, $2, now())
       ON CONFLICT (account_id, peer) DO UPDATE SET last_read_at = now()`,
      [accountId, peer],
    );
  }
}
