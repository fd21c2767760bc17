import { Injectable } from '@nestjs/common';
import { NotFoundAppException, Page, PaginationQueryDto, mapPage, requireE164 } from '@app/core';
import { IdempotentResult, MessageHistory, MessagesService } from '@app/messaging';
import { ContactsService } from './contacts.service';
import { ConversationReadsRepository } from './conversation-reads.repository';
import { ConversationMessageView, ConversationView } from './conversation.views';

/**
 * 1:1 conversations: every message of an account grouped by the other
 * party's phone, in both directions.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly messages: MessagesService,
    private readonly history: MessageHistory,
    private readonly reads: ConversationReadsRepository,
    private readonly contacts: ContactsService,
  ) {}

  /** Threads, most recently active first, each with its last message and unread count. */
  async list(accountId: string, query: PaginationQueryDto): Promise<Page<ConversationView>> {
    const page = await this.history.latestPerPeer(accountId, query);
    const peers = page.data.map((message) => message.peer);
    const [lastRead, contactNames] = await Promise.all([
      this.reads.findLastReadOf(accountId, peers),
      this.contacts.namesOf(accountId, peers),
    ]);
    const unread = await this.history.receivedAfter(
      accountId,
      peers.map((peer) => ({ peer, after: lastRead.get(peer) ?? null })),
    );
    return mapPage(page, (message) => {
      const lastMessage = ConversationMessageView.fromMessage(message);
      return {
        peer: message.peer,
        contactName: contactNames.get(message.peer) ?? null,
        unreadCount: unread.get(message.peer) ?? 0,
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
    await this.reads.markRead(accountId, requireE164(phone, 'phone'));
  }
}
